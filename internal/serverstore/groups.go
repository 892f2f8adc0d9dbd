package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Group is a named set of users; a subscription assigned to a group covers
// every member.
type Group struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Members   int       `json:"members"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateGroup adds an empty group. ErrExists when the name is taken.
func (s *Store) CreateGroup(ctx context.Context, name string) (Group, error) {
	g := Group{ID: newID("grp"), Name: name, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := s.execOne(ctx, `INSERT INTO org_groups (id, name, created_at) VALUES ($1, $2, $3)`, g.ID, g.Name, ms(g.CreatedAt))
	if errors.Is(err, ErrExists) {
		return Group{}, fmt.Errorf("group %s: %w", name, ErrExists)
	}
	return g, err
}

// ListGroups returns groups in name order, those after p.After, with their
// member counts.
func (s *Store) ListGroups(ctx context.Context, p Page) ([]Group, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.id, g.name, g.created_at,
		(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id)
		FROM org_groups g WHERE g.name > $1 ORDER BY g.name LIMIT $2`, p.After, p.Size())
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (Group, error) {
		var g Group
		var created int64
		err := r.Scan(&g.ID, &g.Name, &created, &g.Members)
		g.CreatedAt = time.UnixMilli(created).UTC()
		return g, err
	})
}

// DeleteGroup removes the group, its memberships and its subscription.
func (s *Store) DeleteGroup(ctx context.Context, name string) error {
	return s.execOne(ctx, `DELETE FROM org_groups WHERE name = $1`, name)
}

// AddMembers puts the users with these emails in the group, all or none.
// Adding a member twice is not an error.
func (s *Store) AddMembers(ctx context.Context, group string, emails []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range emails {
			id, err := userID(ctx, tx, e)
			if err != nil {
				return err
			}
			if err := addMember(ctx, tx, group, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveMembers takes the users with these emails out of the group, all or
// none. A user who is not a member is ErrNotFound.
func (s *Store) RemoveMembers(ctx context.Context, group string, emails []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		gid, err := groupID(ctx, tx, group)
		if err != nil {
			return err
		}
		for _, e := range emails {
			uid, err := userID(ctx, tx, e)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = $1 AND user_id = $2`, gid, uid)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNotFound
			}
		}
		return nil
	})
}

func addMember(ctx context.Context, tx *sql.Tx, group, uid string) error {
	gid, err := groupID(ctx, tx, group)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)
		ON CONFLICT (group_id, user_id) DO NOTHING`, gid, uid)
	return err
}

// lookupID returns the id in the one-row result of query, or ErrNotFound
// naming what was looked for.
func lookupID(ctx context.Context, tx *sql.Tx, what, query, arg string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, query, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s %q: %w", what, arg, ErrNotFound)
	}
	return id, err
}

func userID(ctx context.Context, tx *sql.Tx, email string) (string, error) {
	return lookupID(ctx, tx, "user", `SELECT id FROM users WHERE email = $1`, email)
}

func groupID(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	return lookupID(ctx, tx, "group", `SELECT id FROM org_groups WHERE name = $1`, name)
}

// GroupMembers returns the members of the group in email order, those after
// p.After. ErrNotFound when there is no such group.
func (s *Store) GroupMembers(ctx context.Context, group string, p Page) ([]User, error) {
	var out []User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		gid, err := groupID(ctx, tx, group)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users u JOIN group_members m ON m.user_id = u.id
			WHERE m.group_id = $1 AND u.email > $2 ORDER BY u.email LIMIT $3`, gid, p.After, p.Size())
		if err != nil {
			return err
		}
		out, err = collect(rows, func(r *sql.Rows) (User, error) { return scanUser(r) })
		return err
	})
	return out, err
}
