package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qdev/qdev/internal/apikey"
)

// SCIMToken describes a token an identity provider provisions users with.
// Like an API key, the token itself is never stored, only its hash, and
// no exported field carries the hash.
type SCIMToken struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateSCIMToken records a token under name, keeping only stored.
// ErrExists when the name is taken.
func (s *Store) CreateSCIMToken(ctx context.Context, name string, stored apikey.Stored) (SCIMToken, error) {
	t := SCIMToken{ID: newID("scim"), Name: name, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := s.execOne(ctx, `INSERT INTO scim_tokens (id, name, lookup, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.Name, stored.Lookup, stored.Hash, ms(t.CreatedAt))
	if errors.Is(err, ErrExists) {
		return SCIMToken{}, fmt.Errorf("SCIM token %q: %w", name, ErrExists)
	}
	return t, err
}

// ListSCIMTokens returns every token in name order.
func (s *Store) ListSCIMTokens(ctx context.Context) ([]SCIMToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM scim_tokens ORDER BY name`)
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (SCIMToken, error) {
		var t SCIMToken
		var created int64
		err := r.Scan(&t.ID, &t.Name, &created)
		t.CreatedAt = time.UnixMilli(created).UTC()
		return t, err
	})
}

// RevokeSCIMToken deletes the token named name: from the next request on,
// on every replica, it authenticates nothing.
func (s *Store) RevokeSCIMToken(ctx context.Context, name string) error {
	err := s.execOne(ctx, `DELETE FROM scim_tokens WHERE name = $1`, name)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("SCIM token %q: %w", name, ErrNotFound)
	}
	return err
}

// AuthenticateSCIM returns the token token is. ErrNotFound covers every
// reason to refuse, as for Authenticate; an API key is never a SCIM token.
func (s *Store) AuthenticateSCIM(ctx context.Context, token string) (SCIMToken, error) {
	if _, err := apikey.Parse(token); err != nil {
		return SCIMToken{}, ErrNotFound
	}
	var t SCIMToken
	var created int64
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_at, hash FROM scim_tokens WHERE lookup = $1`,
		apikey.LookupOf(token)).Scan(&t.ID, &t.Name, &created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return SCIMToken{}, ErrNotFound
	}
	if err != nil {
		return SCIMToken{}, s.describe(err)
	}
	if !(apikey.Stored{Hash: hash}).Matches(token) {
		return SCIMToken{}, ErrNotFound
	}
	t.CreatedAt = time.UnixMilli(created).UTC()
	return t, nil
}
