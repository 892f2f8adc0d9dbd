package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Role is what a user may do through the admin API.
type Role string

// The roles. An auditor reads everything an administrator can, and changes
// nothing; a user sees only their own data.
const (
	RoleAdmin   Role = "admin"
	RoleAuditor Role = "auditor"
	RoleUser    Role = "user"
)

// ParseRole returns the role named s, or an error naming the valid ones.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleAuditor, RoleUser:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (admin, auditor or user)", s)
}

// User is a member of the organisation.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name,omitempty"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	Groups    []string  `json:"groups,omitempty"`
}

// NormalizeEmail returns the address in the form users are stored under
// (lower case, trimmed), or an error when it is not an address.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	return e, nil
}

// CreateUser adds a user with the given email, name and role, in the named
// groups (which must exist). ErrExists when the email is taken.
func (s *Store) CreateUser(ctx context.Context, email, name string, role Role, groups []string) (User, error) {
	u := User{ID: newID("usr"), Email: email, Name: name, Role: role, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		for _, g := range groups {
			if err := addMember(ctx, tx, g, u.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrExists) {
		return User{}, fmt.Errorf("user %s: %w", email, ErrExists)
	}
	if err != nil {
		return User{}, err
	}
	u.Groups = groups
	return u, nil
}

func insertUser(ctx context.Context, tx *sql.Tx, u User) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, role, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Email, u.Name, string(u.Role), ms(u.CreatedAt))
	return err
}

const userColumns = `u.id, u.email, u.name, u.role, u.disabled_at, u.created_at`

// scanUser scans userColumns, then extra columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var disabled sql.NullInt64
	var created int64
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.Role, &disabled, &created}, extra...)...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, ErrNotFound
		}
		return User{}, err
	}
	u.Disabled = disabled.Valid
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, nil
}

// UserByEmail returns the user with that email and their groups.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1`, email))
	if err != nil {
		return User{}, s.describe(err)
	}
	u.Groups, err = s.userGroups(ctx, u.ID)
	return u, err
}

func (s *Store) userGroups(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT g.name FROM org_groups g JOIN group_members m ON m.group_id = g.id
		WHERE m.user_id = $1 ORDER BY g.name`, userID)
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
}

// ListUsers returns users in email order, those after p.After.
func (s *Store) ListUsers(ctx context.Context, p Page) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email > $1 ORDER BY u.email LIMIT $2`,
		p.After, p.Size())
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (User, error) { return scanUser(r) })
}

// DisableUser disables the user, so that none of their keys authenticate,
// and ends their browser sessions and tokens (endSessions). Disabling is
// idempotent.
func (s *Store) DisableUser(ctx context.Context, email string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		uid, err := userID(ctx, tx, email)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = COALESCE(disabled_at, $2) WHERE id = $1`, uid, ms(time.Now())); err != nil {
			return err
		}
		return endSessions(ctx, tx, uid)
	})
}

// endSessions ends the browser sessions and revokes the access and refresh
// tokens of the user with id, and drops the sign-ins and devices they
// approved that have not yet fetched their tokens, when they are disabled:
// all are refused while the user is disabled anyway, and must not work
// again if the user is enabled again (a session left open on a stolen
// laptop, say). API keys, which administrators make, list and revoke
// themselves, are kept.
func endSessions(ctx context.Context, tx *sql.Tx, id string) error {
	for _, table := range []string{"web_sessions", "access_tokens", "refresh_tokens", "auth_requests", "device_grants"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE user_id = $1`, id); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUser removes the user with their keys, memberships and own
// subscription.
func (s *Store) DeleteUser(ctx context.Context, email string) error {
	return s.execOne(ctx, `DELETE FROM users WHERE email = $1`, email)
}

// execOne runs a statement that must touch a row: ErrNotFound otherwise.
func (s *Store) execOne(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		if isUnique(err) {
			return ErrExists
		}
		return s.describe(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.describe(err)
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// UserByID returns the user with that id, without their groups: the
// identity provider reads it at every token it issues, and needs only who
// the user is and whether they are enabled.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if err != nil {
		return User{}, s.describe(err)
	}
	return u, nil
}
