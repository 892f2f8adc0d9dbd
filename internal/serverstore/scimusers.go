package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrLastAdmin refuses to disable or delete the organisation's only enabled
// administrator, which would leave no one able to administer it.
var ErrLastAdmin = errors.New("this is the organisation's only enabled administrator")

// SCIMUser is a user as an identity provider provisions it. UserName is
// the provider's name for the user (the email unless it set another);
// ExternalID is its own identifier, empty when it gave none.
type SCIMUser struct {
	ID         string
	UserName   string
	Email      string
	ExternalID string
	Name       string // the display name
	GivenName  string
	FamilyName string
	Active     bool
	Role       Role
	Groups     []GroupRef // read only
	CreatedAt  time.Time
}

// GroupRef names a group a user is in.
type GroupRef struct {
	ID          string
	DisplayName string
}

const scimUserColumns = `u.id, COALESCE(u.user_name, u.email), u.email, COALESCE(u.external_id, ''), u.name,
	u.given_name, u.family_name, u.disabled_at, u.role, u.created_at`

func scanSCIMUser(row interface{ Scan(...any) error }) (SCIMUser, error) {
	var u SCIMUser
	var disabled sql.NullInt64
	var created int64
	err := row.Scan(&u.ID, &u.UserName, &u.Email, &u.ExternalID, &u.Name, &u.GivenName, &u.FamilyName, &disabled, &u.Role, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return SCIMUser{}, ErrNotFound
	}
	u.Active, u.CreatedAt = !disabled.Valid, time.UnixMilli(created).UTC()
	return u, err
}

// userKey is what user_key holds for u: NULL when the userName is the
// email, so the unique index compares the email itself.
func userKey(u SCIMUser) (name, key sql.NullString) {
	if u.UserName == "" || u.UserName == u.Email {
		return
	}
	return sql.NullString{String: u.UserName, Valid: true}, sql.NullString{String: FoldCase(u.UserName), Valid: true}
}

func nullIfEmpty(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateSCIMUser adds u as a user (role user: provisioning grants no
// administration). ErrExists when its email or userName is taken.
func (s *Store) CreateSCIMUser(ctx context.Context, u SCIMUser) (SCIMUser, error) {
	u.ID, u.Role, u.Groups = newID("usr"), RoleUser, nil
	u.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	name, key := userKey(u)
	var disabled sql.NullInt64
	if !u.Active {
		disabled = sql.NullInt64{Int64: ms(u.CreatedAt), Valid: true}
	}
	err := s.execOne(ctx, `INSERT INTO users (id, email, name, role, disabled_at, created_at, external_id, user_name, user_key,
		given_name, family_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.Email, u.Name, string(u.Role), disabled, ms(u.CreatedAt), nullIfEmpty(u.ExternalID), name, key, u.GivenName, u.FamilyName)
	if errors.Is(err, ErrExists) {
		return SCIMUser{}, fmt.Errorf("user %s: %w", u.UserName, ErrExists)
	}
	if u.UserName == "" {
		u.UserName = u.Email
	}
	return u, err
}

// SCIMUserByID returns the user with that id and their groups.
func (s *Store) SCIMUserByID(ctx context.Context, id string) (SCIMUser, error) {
	users, _, err := s.FindSCIMUsers(ctx, Cond{Op: CondEq, Field: FieldUserID, Value: id}, 0, 1)
	if err != nil {
		return SCIMUser{}, err
	}
	if len(users) == 0 {
		return SCIMUser{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	return users[0], nil
}

// FindSCIMUsers returns the users c selects, in id order, skipping offset
// and returning at most limit, with their groups; and how many c selects
// in all.
func (s *Store) FindSCIMUsers(ctx context.Context, c Cond, offset, limit int) ([]SCIMUser, int, error) {
	q := &condSQL{s: s, fields: userFields}
	where, err := q.compile(c)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u WHERE `+where, q.args...).Scan(&total); err != nil {
		return nil, 0, s.describe(err)
	}
	if limit <= 0 || offset >= total {
		return []SCIMUser{}, total, nil
	}
	args := append(q.args, limit, offset)
	rows, err := s.db.QueryContext(ctx, `SELECT `+scimUserColumns+` FROM users u WHERE `+where+
		fmt.Sprintf(` ORDER BY u.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, s.describe(err)
	}
	users, err := collect(rows, func(r *sql.Rows) (SCIMUser, error) { return scanSCIMUser(r) })
	if err != nil {
		return nil, 0, s.describe(err)
	}
	if err := s.addGroupRefs(ctx, users); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// addGroupRefs fills in the groups of users, with one query.
func (s *Store) addGroupRefs(ctx context.Context, users []SCIMUser) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[string]*SCIMUser, len(users))
	marks := make([]string, len(users))
	args := make([]any, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), users[i].ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.user_id, g.id, COALESCE(g.display_name, g.name)
		FROM group_members m JOIN org_groups g ON g.id = m.group_id
		WHERE m.user_id IN (`+strings.Join(marks, ", ")+`) ORDER BY g.id`, args...)
	if err != nil {
		return s.describe(err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		var g GroupRef
		if err := rows.Scan(&uid, &g.ID, &g.DisplayName); err != nil {
			return s.describe(err)
		}
		u := byID[uid]
		u.Groups = append(u.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return s.describe(err)
	}
	return nil
}

// UpdateSCIMUser replaces the user with id by what change makes of it, in
// one transaction: a concurrent update on another replica waits, so none is
// lost. change must not use the store; an error it returns is returned as
// it is. ID, Role, Groups and CreatedAt are not changed. Disabling the only
// enabled administrator is ErrLastAdmin.
func (s *Store) UpdateSCIMUser(ctx context.Context, id string, change func(*SCIMUser) error) (SCIMUser, error) {
	var changeErr error
	var userName string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanSCIMUser(tx.QueryRowContext(ctx, `SELECT `+scimUserColumns+` FROM users u WHERE u.id = $1`+s.forUpdate(), id))
		if err != nil {
			return err
		}
		u := old
		if changeErr = change(&u); changeErr != nil {
			return changeErr
		}
		u.ID, u.Role, u.CreatedAt = old.ID, old.Role, old.CreatedAt
		userName = u.UserName
		if old.Active && !u.Active && u.Role == RoleAdmin {
			if err := checkOtherAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		name, key := userKey(u)
		_, err = tx.ExecContext(ctx, `UPDATE users SET email = $2, name = $3, external_id = $4, user_name = $5,
			user_key = $6, given_name = $7, family_name = $8,
			disabled_at = CASE WHEN $9 THEN NULL ELSE COALESCE(disabled_at, $10) END WHERE id = $1`,
			id, u.Email, u.Name, nullIfEmpty(u.ExternalID), name, key, u.GivenName, u.FamilyName, u.Active, ms(time.Now()))
		if err != nil || !old.Active || u.Active {
			return err
		}
		return endSessions(ctx, tx, id)
	})
	switch {
	case changeErr != nil:
		return SCIMUser{}, changeErr
	case errors.Is(err, ErrNotFound):
		return SCIMUser{}, fmt.Errorf("user %s: %w", id, ErrNotFound)
	case errors.Is(err, ErrExists):
		return SCIMUser{}, fmt.Errorf("user %s: %w", userName, ErrExists)
	case err != nil:
		return SCIMUser{}, err
	}
	return s.SCIMUserByID(ctx, id)
}

// checkOtherAdmin is ErrLastAdmin unless an enabled administrator other
// than the user with id exists.
func checkOtherAdmin(ctx context.Context, tx *sql.Tx, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = $1 AND disabled_at IS NULL AND id <> $2`,
		string(RoleAdmin), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

// DeleteUserByID removes the user with id, with their keys, memberships
// and own subscription. Deleting the only enabled administrator is
// ErrLastAdmin.
func (s *Store) DeleteUserByID(ctx context.Context, id string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var role Role
		var disabled sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT role, disabled_at FROM users WHERE id = $1`+s.forUpdate(), id).Scan(&role, &disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if role == RoleAdmin && !disabled.Valid {
			if err := checkOtherAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("user %s: %w", id, ErrNotFound)
	}
	return err
}
