package serverstore_test

import (
	"testing"

	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestSQLite(t *testing.T) { storetest.Run(t, storetest.SQLite) }

func TestPostgres(t *testing.T) {
	storetest.SkipWithoutPostgres(t)
	storetest.Run(t, storetest.PostgreSQL)
}

func TestOpenRejectsOtherURLs(t *testing.T) {
	_, err := serverstore.Open(t.Context(), serverstore.Options{DatabaseURL: "mysql://x"})
	if err == nil || err.Error() != "--database: only postgres:// and postgresql:// URLs are supported" {
		t.Fatalf("err = %v", err)
	}
}
