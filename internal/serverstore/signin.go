package serverstore

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// SetPassword sets the password hash (argon2id, computed by the caller) of
// the user with that email, replacing any earlier one.
func (s *Store) SetPassword(ctx context.Context, email, hash string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		uid, err := userID(ctx, tx, email)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO user_passwords (user_id, hash, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`, uid, hash, ms(now))
		return err
	})
}

// PasswordHash returns the enabled user with that email and their password
// hash. ErrNotFound when there is no such user, they are disabled, or they
// have no password.
func (s *Store) PasswordHash(ctx context.Context, email string) (User, string, error) {
	var hash string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, p.hash FROM users u
		JOIN user_passwords p ON p.user_id = u.id WHERE u.email = $1 AND u.disabled_at IS NULL`, email), &hash)
	if err != nil {
		return User{}, "", s.describe(err)
	}
	return u, hash, nil
}

// RecordFailure notes a failed sign-in (or code entry) against subject, an
// account or an address, at now. Failures older than a day are dropped on
// the way, so the table stays small.
func (s *Store) RecordFailure(ctx context.Context, subject string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE subject = $1 AND at < $2`,
			subject, ms(now.Add(-24*time.Hour))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (subject, at) VALUES ($1, $2)`, subject, ms(now))
		return err
	})
}

// attemptLockClass is the first key of the PostgreSQL advisory locks that
// TakeAttempt holds on its subjects (the second is the subject's hash);
// two-key advisory locks do not collide with migrate's one-key lock.
const attemptLockClass = 0x5164 // "Qd"

// TakeAttempt checks that no subject has had its limit of failures since
// since and, when none has, records the attempt as a failure of each at
// now. The check and the record are one step, serialised per subject, so
// that attempts made at the same moment cannot all pass the check before
// any is counted: at most limit attempts per subject are let through in a
// window, however many arrive at once. It reports false, recording
// nothing, when a subject is out of attempts. An attempt that succeeded is
// taken back with ForgiveAttempt.
func (s *Store) TakeAttempt(ctx context.Context, limits map[string]int, since, now time.Time) (bool, error) {
	subjects := make([]string, 0, len(limits))
	for subject := range limits {
		subjects = append(subjects, subject)
	}
	slices.Sort(subjects) // one order of locks, so no two attempts deadlock
	allowed := true
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if s.postgres {
			// SQLite's transactions already take the write lock at BEGIN.
			for _, subject := range subjects {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, attemptLockClass, subject); err != nil {
					return err
				}
			}
		}
		for _, subject := range subjects {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE subject = $1 AND at >= $2`,
				subject, ms(since)).Scan(&n); err != nil {
				return err
			}
			if n >= limits[subject] {
				allowed = false
				return nil
			}
		}
		for _, subject := range subjects {
			if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE subject = $1 AND at < $2`,
				subject, ms(now.Add(-24*time.Hour))); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (subject, at) VALUES ($1, $2)`, subject, ms(now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return allowed, nil
}

// ForgiveAttempt takes back one attempt TakeAttempt recorded at at against
// each subject, once it has turned out not to be a failure.
func (s *Store) ForgiveAttempt(ctx context.Context, subjects []string, at time.Time) error {
	row := "rowid"
	if s.postgres {
		row = "ctid"
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, subject := range subjects {
			if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE `+row+` IN (SELECT `+row+
				` FROM signin_failures WHERE subject = $1 AND at = $2 LIMIT 1)`, subject, ms(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Failures counts subject's failures since since.
func (s *Store) Failures(ctx context.Context, subject string, since time.Time) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE subject = $1 AND at >= $2`,
		subject, ms(since)).Scan(&n); err != nil {
		return 0, s.describe(err)
	}
	return n, nil
}

// ClearFailures forgets subject's failures, after a successful sign-in.
func (s *Store) ClearFailures(ctx context.Context, subject string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM signin_failures WHERE subject = $1`, subject); err != nil {
		return s.describe(err)
	}
	return nil
}

// CreateWebSession records a browser session of the user, identified by
// token (kept hashed), valid until expires.
func (s *Store) CreateWebSession(ctx context.Context, token, userID string, now, expires time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			secretHash(token), userID, ms(now), ms(expires))
		return err
	})
}

// WebSessionUser returns the enabled user whose unexpired session token is.
// ErrNotFound for every reason to refuse.
func (s *Store) WebSessionUser(ctx context.Context, token string, now time.Time) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM web_sessions w JOIN users u ON u.id = w.user_id
		WHERE w.id_hash = $1 AND w.expires_at > $2 AND u.disabled_at IS NULL`, secretHash(token), ms(now)))
	if err != nil {
		return User{}, s.describe(err)
	}
	return u, nil
}

// DeleteWebSession ends the session token names; ending one that does not
// exist is not an error.
func (s *Store) DeleteWebSession(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, secretHash(token)); err != nil {
		return s.describe(err)
	}
	return nil
}
