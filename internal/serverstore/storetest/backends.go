package storetest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/qdev/qdev/internal/serverstore"
)

// SQLite is a NewDB giving each test its own SQLite database.
func SQLite(t *testing.T) serverstore.Options {
	return serverstore.Options{Dir: t.TempDir()}
}

// The PostgreSQL server shared by a test binary's tests, started on first
// use; Main stops it.
var (
	pgOnce   sync.Once
	pgServer *Postgres
	pgErr    error
	dbSeq    atomic.Int32
)

// PostgreSQL is a NewDB giving each test its own database on a PostgreSQL
// server started for the test binary. Without PostgreSQL binaries the test
// is skipped, saying so; a test binary using it must call Main.
func PostgreSQL(t *testing.T) serverstore.Options {
	SkipWithoutPostgres(t)
	name := fmt.Sprintf("t%d", dbSeq.Add(1))
	if err := pgServer.CreateDatabase(name); err != nil {
		t.Fatal(err)
	}
	return serverstore.Options{DatabaseURL: pgServer.URL(name)}
}

// SkipWithoutPostgres starts the shared PostgreSQL server if need be, and
// skips t, in one line saying why, when PostgreSQL is not installed.
func SkipWithoutPostgres(t *testing.T) {
	t.Helper()
	pgOnce.Do(func() { pgServer, pgErr = StartPostgres() })
	// In CI (.ci/run installs PostgreSQL) a missing server is a failure, as
	// for the other real components the tests need.
	if errors.Is(pgErr, ErrNoPostgres) && os.Getenv("CI") == "" {
		t.Skip(pgErr)
	}
	if pgErr != nil {
		t.Fatal(pgErr)
	}
}

// Backends are both stores, by name, for tests that run against each.
var Backends = []struct {
	Name  string
	NewDB NewDB
}{{"SQLite", SQLite}, {"PostgreSQL", PostgreSQL}}

// Main runs the tests, then stops the PostgreSQL server if one started.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if pgServer != nil {
		pgServer.Stop()
	}
	os.Exit(code)
}
