package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/qdev/qdev/internal/apikey"
)

// SigningKey is a token-signing key of the identity provider as stored.
// Every replica signs with the same keys, so they live in the store.
type SigningKey struct {
	ID         string
	Generation int64
	Algorithm  string // JOSE name, e.g. RS256
	PrivateKey string // PKCS #8, PEM
	CreatedAt  time.Time
	ActiveAt   time.Time
}

// SigningKeys returns every stored signing key, oldest generation first.
func (s *Store) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, generation, algorithm, private_key, created_at, active_at
		FROM identity_keys ORDER BY generation`)
	if err != nil {
		return nil, s.describe(err)
	}
	keys, err := collect(rows, func(r *sql.Rows) (SigningKey, error) {
		var k SigningKey
		var created, active int64
		err := r.Scan(&k.ID, &k.Generation, &k.Algorithm, &k.PrivateKey, &created, &active)
		k.CreatedAt, k.ActiveAt = time.UnixMilli(created).UTC(), time.UnixMilli(active).UTC()
		return k, err
	})
	if err != nil {
		return nil, s.describe(err)
	}
	return keys, nil
}

// AddSigningKey stores k. ErrExists when another replica already added a
// key of the same generation: the caller rereads the keys and uses that one.
func (s *Store) AddSigningKey(ctx context.Context, k SigningKey) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_keys (id, generation, algorithm, private_key, created_at, active_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, k.ID, k.Generation, k.Algorithm, k.PrivateKey, ms(k.CreatedAt), ms(k.ActiveAt))
		return err
	})
}

// DeleteSigningKeysBefore removes the keys of generations below gen: keys
// that no longer sign and whose tokens have all expired.
func (s *Store) DeleteSigningKeysBefore(ctx context.Context, gen int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM identity_keys WHERE generation < $1`, gen); err != nil {
		return s.describe(err)
	}
	return nil
}

// Secret returns the shared secret called name, creating it from generate
// when it does not exist yet. Replicas racing to create it all end up with
// the one that was stored first.
func (s *Store) Secret(ctx context.Context, name string, generate func() string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM identity_secrets WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", s.describe(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO identity_secrets (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, generate(), ms(time.Now())); err != nil {
		return "", s.describe(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM identity_secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return "", s.describe(err)
	}
	return v, nil
}

// secretHash is how the store keeps a secret a client presents (a token, a
// code, a session cookie): its SHA-256, so that reading the database gives
// no one a credential. The secrets are random and long, so no salt or slow
// hash is needed. It is the hash API keys and SCIM tokens are kept by.
func secretHash(secret string) string { return apikey.Hash(secret) }
