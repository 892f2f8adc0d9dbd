package store

import (
	"context"
	"fmt"
	"time"
)

// migrations are the schema steps in order; migrations[i] brings the schema
// to version i+1. Append only: a released step is never edited, because
// databases in the field already ran it.
var migrations = [...]string{
	// 1: conversations keyed by ID, found by working directory; input history.
	`CREATE TABLE migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	);
	CREATE TABLE conversations (
		id      TEXT PRIMARY KEY,
		cwd     TEXT NOT NULL,
		agent   TEXT NOT NULL DEFAULT '',
		model   TEXT NOT NULL DEFAULT '',
		data    BLOB NOT NULL,
		updated INTEGER NOT NULL -- Unix nanoseconds
	);
	CREATE INDEX conversations_cwd_updated ON conversations (cwd, updated);
	CREATE INDEX conversations_updated ON conversations (updated);
	CREATE TABLE history (
		id   INTEGER PRIMARY KEY AUTOINCREMENT,
		line TEXT NOT NULL
	);`,
}

// SchemaVersion is the schema version this build writes.
const SchemaVersion = len(migrations)

// migrate applies the missing migrations. The version lives twice: in
// PRAGMA user_version, which costs one header read and is what the fast path
// checks, and in the migrations table, which records when each step ran.
// Both change in the same transaction.
func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v >= SchemaVersion {
		return nil
	}
	// BEGIN IMMEDIATE (see dsn): a second q starting at the same moment waits
	// here, then finds the work done when it re-reads the version.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for ; v < SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO migrations (version, applied_at) VALUES (?, ?)", v+1, now); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	// PRAGMA takes no bound parameters; v is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		return err
	}
	return tx.Commit()
}
