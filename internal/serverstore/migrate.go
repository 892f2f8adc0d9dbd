package serverstore

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"time"
)

//go:embed schema.sql
var schemaV1 string

//go:embed schema_scim.sql
var schemaSCIM string

//go:embed schema_federation.sql
var schemaFederation string

//go:embed schema_identity.sql
var schemaIdentity string

// migrations are applied in order; migrations[i] brings the schema to
// version i+1. Append only: a released migration never changes.
var migrations = []string{schemaV1, schemaSCIM, schemaFederation, schemaIdentity}

// migrationLockKey is the PostgreSQL advisory lock that serialises replicas
// migrating the same database ("qdevmigr" in ASCII).
const migrationLockKey = 0x716465766d696772

// migrate brings the schema up to date. On PostgreSQL an advisory lock held
// on one connection makes replicas starting together take turns, and each
// migration commits together with its version row, so none runs twice. On
// SQLite the immediate transaction's write lock does the same across
// processes.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockKey)); err != nil {
			return err
		}
		// Unlock on a fresh context: ctx may be what ended the migration.
		defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(migrationLockKey))
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	for {
		done, err := migrateOne(ctx, conn)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, reporting done when there is none.
func migrateOne(ctx context.Context, conn *sql.Conn) (done bool, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return false, err
	}
	if v >= len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
		v+1, time.Now().UnixMilli()); err != nil {
		return false, err
	}
	return false, tx.Commit()
}
