package serverstore_test

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) serverstore.Options {
		return serverstore.Options{Dir: t.TempDir()}
	})
}

// pg is the PostgreSQL server TestMain started, nil when none is installed.
var (
	pg    *storetest.Postgres
	pgErr error
	dbSeq atomic.Int32
)

func TestMain(m *testing.M) {
	pg, pgErr = storetest.StartPostgres()
	code := m.Run()
	if pg != nil {
		pg.Stop()
	}
	os.Exit(code)
}

func TestPostgres(t *testing.T) {
	if errors.Is(pgErr, storetest.ErrNoPostgres) {
		t.Skip(pgErr)
	}
	if pgErr != nil {
		t.Fatal(pgErr)
	}
	storetest.Run(t, func(t *testing.T) serverstore.Options {
		name := fmt.Sprintf("t%d", dbSeq.Add(1))
		if err := pg.CreateDatabase(name); err != nil {
			t.Fatal(err)
		}
		return serverstore.Options{DatabaseURL: pg.URL(name)}
	})
}

func TestOpenRejectsOtherURLs(t *testing.T) {
	_, err := serverstore.Open(t.Context(), serverstore.Options{DatabaseURL: "mysql://x"})
	if err == nil || err.Error() != "--database: only postgres:// and postgresql:// URLs are supported" {
		t.Fatalf("err = %v", err)
	}
}
