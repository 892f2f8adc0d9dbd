package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qdev/qdev/internal/apikey"
)

// APIKey describes a key. The key itself is never stored, only its hash,
// and the hash never leaves this package: no exported field carries it.
type APIKey struct {
	ID        string     `json:"id"`
	User      string     `json:"user"` // email
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// CreateAPIKey records a key for the user with that email, keeping only
// stored. ErrExists when the user already has a key with that name.
func (s *Store) CreateAPIKey(ctx context.Context, email, name string, stored apikey.Stored, expires *time.Time) (APIKey, error) {
	k := APIKey{ID: newID("key"), User: email, Name: name, CreatedAt: time.Now().UTC().Truncate(time.Millisecond), ExpiresAt: expires}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		uid, err := userID(ctx, tx, email)
		if err != nil {
			return err
		}
		return insertKey(ctx, tx, k, uid, stored)
	})
	if errors.Is(err, ErrExists) {
		return APIKey{}, fmt.Errorf("key %q of %s: %w", name, email, ErrExists)
	}
	return k, err
}

func insertKey(ctx context.Context, tx *sql.Tx, k APIKey, uid string, stored apikey.Stored) error {
	var exp sql.NullInt64
	if k.ExpiresAt != nil {
		exp = sql.NullInt64{Int64: ms(*k.ExpiresAt), Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, user_id, name, lookup, hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, uid, k.Name, stored.Lookup, stored.Hash, ms(k.CreatedAt), exp)
	return err
}

// ListAPIKeys returns keys in id order, those after p.After; only the
// user's when email is not empty.
func (s *Store) ListAPIKeys(ctx context.Context, email string, p Page) ([]APIKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT k.id, u.email, k.name, k.created_at, k.expires_at
		FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.id > $1 AND ($2 = '' OR u.email = $2) ORDER BY k.id LIMIT $3`, p.After, email, p.Size())
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (APIKey, error) {
		var k APIKey
		var created int64
		var exp sql.NullInt64
		err := r.Scan(&k.ID, &k.User, &k.Name, &created, &exp)
		k.CreatedAt, k.ExpiresAt = time.UnixMilli(created).UTC(), fromMS(exp)
		return k, err
	})
}

// RevokeAPIKey deletes the user's key with that name: from the next lookup
// on, on every replica, it authenticates no one.
func (s *Store) RevokeAPIKey(ctx context.Context, email, name string) error {
	err := s.execOne(ctx, `DELETE FROM api_keys WHERE name = $2
		AND user_id = (SELECT id FROM users WHERE email = $1)`, email, name)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("key %q of %s: %w", name, email, ErrNotFound)
	}
	return err
}

// Authenticate returns the enabled user owning the unexpired key at now.
// ErrNotFound covers every reason to refuse (malformed, unknown, expired,
// disabled), so that callers cannot tell an attacker which one applied.
func (s *Store) Authenticate(ctx context.Context, key string, now time.Time) (User, error) {
	if _, err := apikey.Parse(key); err != nil {
		return User{}, ErrNotFound
	}
	var hash string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, k.hash FROM api_keys k
		JOIN users u ON u.id = k.user_id
		WHERE k.lookup = $1 AND (k.expires_at IS NULL OR k.expires_at > $2) AND u.disabled_at IS NULL`,
		apikey.LookupOf(key), ms(now)), &hash)
	if err != nil {
		return User{}, s.describe(err)
	}
	if !(apikey.Stored{Hash: hash}).Matches(key) {
		return User{}, ErrNotFound
	}
	return u, nil
}
