package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// NamePattern is what group, tier and key names look like: they appear in
// URLs and command lines.
var NamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)

// SCIMGroup is a group as an identity provider provisions it. DisplayName
// is the provider's name for it; Name is the qdev group name derived from
// it (see NamePattern), which administrators use.
type SCIMGroup struct {
	ID          string
	Name        string
	DisplayName string
	ExternalID  string
	Members     []Member
	CreatedAt   time.Time
}

// UnknownMemberError is a group member that is no user. It is an
// ErrNotFound.
type UnknownMemberError struct{ ID string }

func (e *UnknownMemberError) Error() string { return fmt.Sprintf("user %q: %v", e.ID, ErrNotFound) }

// Unwrap makes the error an ErrNotFound.
func (e *UnknownMemberError) Unwrap() error { return ErrNotFound }

// Member is a user in a group; Display is their userName.
type Member struct {
	ID      string
	Display string
}

const scimGroupColumns = `g.id, g.name, COALESCE(g.display_name, g.name), COALESCE(g.external_id, ''), g.created_at`

func scanSCIMGroup(row interface{ Scan(...any) error }) (SCIMGroup, error) {
	var g SCIMGroup
	var created int64
	err := row.Scan(&g.ID, &g.Name, &g.DisplayName, &g.ExternalID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return SCIMGroup{}, ErrNotFound
	}
	g.CreatedAt = time.UnixMilli(created).UTC()
	return g, err
}

// slug makes a group name from a display name: runs of characters a name
// may not hold become one '-'.
func slug(display string) string {
	var b strings.Builder
	dash := false
	for _, r := range display {
		ok := r < 128 && (r == '.' || r == '_' || r == '+' || r == '-' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9'))
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimLeft(b.String(), "._+-")
	if len(s) > 56 {
		s = s[:56]
	}
	if s == "" {
		s = "group"
	}
	return s
}

// freeName returns a group name for display that no group but self has:
// its slug, or the slug with a number added.
func freeName(ctx context.Context, tx *sql.Tx, display, self string) (string, error) {
	base := slug(display)
	for i := 1; i <= 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM org_groups WHERE name = $1`, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && id == self) {
			return name, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("group %s: %w", display, ErrExists)
}

// checkDisplayFree is ErrExists when a group other than self is displayed
// as display, ignoring case.
func (s *Store) checkDisplayFree(ctx context.Context, tx *sql.Tx, display, self string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_groups g WHERE `+s.lower("COALESCE(g.display_name, g.name)")+
		` = $1 AND g.id <> $2`, FoldCase(display), self).Scan(&n)
	if err == nil && n > 0 {
		err = fmt.Errorf("group %s: %w", display, ErrExists)
	}
	return err
}

// CreateSCIMGroup adds g with its members. ErrExists when another group
// has the same display name (ignoring case); ErrNotFound names a member
// that is no user.
func (s *Store) CreateSCIMGroup(ctx context.Context, g SCIMGroup) (SCIMGroup, error) {
	g.ID, g.CreatedAt = newID("grp"), time.Now().UTC().Truncate(time.Millisecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.checkDisplayFree(ctx, tx, g.DisplayName, ""); err != nil {
			return err
		}
		name, err := freeName(ctx, tx, g.DisplayName, "")
		if err != nil {
			return err
		}
		g.Name = name
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_groups (id, name, created_at, external_id, display_name)
			VALUES ($1, $2, $3, $4, $5)`, g.ID, g.Name, ms(g.CreatedAt), nullIfEmpty(g.ExternalID), g.DisplayName); err != nil {
			return err
		}
		return setMembers(ctx, tx, g.ID, nil, g.Members)
	})
	if err != nil {
		return SCIMGroup{}, err
	}
	return s.SCIMGroupByID(ctx, g.ID, true)
}

// setMembers changes the group's members from old to want.
func setMembers(ctx context.Context, tx *sql.Tx, gid string, old, want []Member) error {
	had := make(map[string]bool, len(old))
	for _, m := range old {
		had[m.ID] = true
	}
	keep := make(map[string]bool, len(want))
	for _, m := range want {
		if keep[m.ID] {
			continue
		}
		keep[m.ID] = true
		if had[m.ID] {
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id)
			SELECT $1, id FROM users WHERE id = $2 ON CONFLICT (group_id, user_id) DO NOTHING`, gid, m.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &UnknownMemberError{ID: m.ID}
		}
	}
	for _, m := range old {
		if !keep[m.ID] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = $1 AND user_id = $2`, gid, m.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// SCIMGroupByID returns the group with that id, with its members when
// members is true.
func (s *Store) SCIMGroupByID(ctx context.Context, id string, members bool) (SCIMGroup, error) {
	groups, _, err := s.FindSCIMGroups(ctx, Cond{Op: CondEq, Field: FieldGroupID, Value: id}, 0, 1, members)
	if err != nil {
		return SCIMGroup{}, err
	}
	if len(groups) == 0 {
		return SCIMGroup{}, fmt.Errorf("group %s: %w", id, ErrNotFound)
	}
	return groups[0], nil
}

// FindSCIMGroups returns the groups c selects, in id order, skipping offset
// and returning at most limit, with their members when members is true;
// and how many c selects in all.
func (s *Store) FindSCIMGroups(ctx context.Context, c Cond, offset, limit int, members bool) ([]SCIMGroup, int, error) {
	q := &condSQL{s: s, fields: groupFields}
	where, err := q.compile(c)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_groups g WHERE `+where, q.args...).Scan(&total); err != nil {
		return nil, 0, s.describe(err)
	}
	if limit <= 0 || offset >= total {
		return []SCIMGroup{}, total, nil
	}
	args := append(q.args, limit, offset)
	rows, err := s.db.QueryContext(ctx, `SELECT `+scimGroupColumns+` FROM org_groups g WHERE `+where+
		fmt.Sprintf(` ORDER BY g.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, s.describe(err)
	}
	groups, err := collect(rows, func(r *sql.Rows) (SCIMGroup, error) { return scanSCIMGroup(r) })
	if err != nil {
		return nil, 0, s.describe(err)
	}
	if members {
		for i := range groups {
			if groups[i].Members, err = listMembers(ctx, s.db, groups[i].ID); err != nil {
				return nil, 0, s.describe(err)
			}
		}
	}
	return groups, total, nil
}

// queryer is what reads members: the database or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// listMembers returns the group's members in id order.
func listMembers(ctx context.Context, db queryer, gid string) ([]Member, error) {
	rows, err := db.QueryContext(ctx, `SELECT u.id, COALESCE(u.user_name, u.email) FROM group_members m
		JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 ORDER BY u.id`, gid)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r *sql.Rows) (Member, error) {
		var m Member
		return m, r.Scan(&m.ID, &m.Display)
	})
}

// UpdateSCIMGroup replaces the group with id by what change makes of it,
// members included, in one transaction (see UpdateSCIMUser). A new display
// name renames the group to match when that name is free.
func (s *Store) UpdateSCIMGroup(ctx context.Context, id string, change func(*SCIMGroup) error) error {
	var changeErr error
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanSCIMGroup(tx.QueryRowContext(ctx, `SELECT `+scimGroupColumns+` FROM org_groups g WHERE g.id = $1`+s.forUpdate(), id))
		if err != nil {
			return err
		}
		if old.Members, err = listMembers(ctx, tx, id); err != nil {
			return err
		}
		g := old
		g.Members = append([]Member(nil), old.Members...)
		if changeErr = change(&g); changeErr != nil {
			return changeErr
		}
		name := old.Name
		if g.DisplayName != old.DisplayName {
			if err := s.checkDisplayFree(ctx, tx, g.DisplayName, id); err != nil {
				return err
			}
			if name, err = freeName(ctx, tx, g.DisplayName, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE org_groups SET name = $2, display_name = $3, external_id = $4 WHERE id = $1`,
			id, name, g.DisplayName, nullIfEmpty(g.ExternalID)); err != nil {
			return err
		}
		return setMembers(ctx, tx, id, old.Members, g.Members)
	})
	var um *UnknownMemberError
	switch {
	case changeErr != nil:
		return changeErr
	case errors.As(err, &um):
		return err
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("group %s: %w", id, ErrNotFound)
	}
	return err
}

// DeleteGroupByID removes the group with id, its memberships and its
// subscription.
func (s *Store) DeleteGroupByID(ctx context.Context, id string) error {
	err := s.execOne(ctx, `DELETE FROM org_groups WHERE id = $1`, id)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("group %s: %w", id, ErrNotFound)
	}
	return err
}
