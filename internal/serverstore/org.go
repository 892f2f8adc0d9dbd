package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/qdev/qdev/internal/apikey"
)

// Initialise creates the organisation with its first administrator and that
// administrator's key (named "initial", keeping only key), all or nothing.
// ErrAlreadyInitialised when it exists, also when another process won a
// race to create it.
func (s *Store) Initialise(ctx context.Context, adminEmail string, key apikey.Stored) (User, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := User{ID: newID("usr"), Email: adminEmail, Role: RoleAdmin, CreatedAt: now}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// The org table's single row (id 1) is the lock: a second
		// initialisation fails on its primary key.
		if _, err := tx.ExecContext(ctx, `INSERT INTO org (id, created_at) VALUES (1, $1)`, ms(now)); err != nil {
			return err
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		return insertKey(ctx, tx, APIKey{ID: newID("key"), Name: "initial", CreatedAt: now}, u.ID, key)
	})
	if err == ErrExists {
		return User{}, ErrAlreadyInitialised
	}
	return u, err
}

// Initialised reports whether Initialise has run.
func (s *Store) Initialised(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM org`).Scan(&n); err != nil {
		return false, s.describe(err)
	}
	return n > 0, nil
}

// OrgCreated returns when the organisation was initialised.
// ErrNotInitialised before Initialise has run.
func (s *Store) OrgCreated(ctx context.Context) (time.Time, error) {
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT created_at FROM org WHERE id = 1`).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotInitialised
	}
	if err != nil {
		return time.Time{}, s.describe(err)
	}
	return time.UnixMilli(created).UTC(), nil
}
