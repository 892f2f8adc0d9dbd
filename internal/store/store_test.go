package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state", FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesPrivateWALDatabase(t *testing.T) {
	s := openTemp(t)
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("database mode %v, want 0600", perm)
	}
	di, err := os.Stat(filepath.Dir(s.Path()))
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("directory mode %v, want 0700", perm)
	}
	var mode string
	var sync, busy, version int
	db := s.db
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	if err := db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 1 {
		t.Errorf("synchronous = %d, %v; want 1 (NORMAL)", sync, err)
	}
	if err := db.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil || busy != busyTimeoutMS {
		t.Errorf("busy_timeout = %d, %v", busy, err)
	}
	if err := db.QueryRow("SELECT max(version) FROM migrations").Scan(&version); err != nil || version != SchemaVersion {
		t.Errorf("migrations version = %d, %v", version, err)
	}
}

func TestOpenTightensLooseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fi, _ := os.Stat(path)
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode %v after Open, want 0600", perm)
	}
}

func TestReopenDoesNotMigrateAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var first string
	if err := s.db.QueryRow("SELECT applied_at FROM migrations WHERE version = 1").Scan(&first); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	var again string
	if err := s.db.QueryRow("SELECT count(*), max(applied_at) FROM migrations").Scan(&n, &again); err != nil {
		t.Fatal(err)
	}
	if n != SchemaVersion || again != first {
		t.Errorf("after reopen: %d migration rows, applied_at %q (was %q)", n, again, first)
	}
}

func TestOpenNewerSchemaAsIs(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatalf("open newer database: %v", err)
	}
	defer s.Close()
	var v int
	s.db.QueryRow("PRAGMA user_version").Scan(&v)
	if v != 99 {
		t.Errorf("user_version = %d, want 99 untouched", v)
	}
}

func TestOpenBadFiles(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notdb.sqlite3")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("this is not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	isDir := filepath.Join(dir, "isdir.sqlite3")
	if err := os.Mkdir(isDir, 0o700); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"not a database", notDB, "not a SQLite database"},
		{"directory", isDir, isDir},
		{"parent is a file", filepath.Join(blocker, FileName), "blocker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, tc.path) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and containing %q", msg, tc.path, tc.want)
			}
		})
	}
}

func TestConversations(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	t0 := time.Unix(1_700_000_000, 0)

	if _, ok, err := s.LatestConversation(ctx, "/w"); ok || err != nil {
		t.Fatalf("empty store: ok=%v err=%v", ok, err)
	}
	save := func(c Conversation) {
		t.Helper()
		if err := s.SaveConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	save(Conversation{ID: "a", Cwd: "/w", Agent: "q_cli_default", Model: "m1", Data: []byte(`{"n":1}`), Updated: t0})
	save(Conversation{ID: "b", Cwd: "/w/", Data: []byte(`{"n":2}`), Updated: t0.Add(time.Second)})
	save(Conversation{ID: "c", Cwd: "/other", Data: []byte(`{"n":3}`), Updated: t0.Add(2 * time.Second)})

	got, ok, err := s.LatestConversation(ctx, "/w")
	if err != nil || !ok || got.ID != "b" || string(got.Data) != `{"n":2}` || !got.Updated.Equal(t0.Add(time.Second)) {
		t.Fatalf("latest for /w = %+v, %v, %v; want b", got, ok, err)
	}
	// Saving "a" again makes it the latest and replaces its fields.
	save(Conversation{ID: "a", Cwd: "/w", Agent: "dev", Model: "m2", Data: []byte(`{"n":4}`), Updated: t0.Add(3 * time.Second)})
	got, _, _ = s.LatestConversation(ctx, "/w")
	if got.ID != "a" || got.Agent != "dev" || got.Model != "m2" || string(got.Data) != `{"n":4}` {
		t.Errorf("after upsert latest = %+v", got)
	}
	var n int
	s.db.QueryRow("SELECT count(*) FROM conversations").Scan(&n)
	if n != 3 {
		t.Errorf("%d rows, want 3 (upsert must not duplicate)", n)
	}
	if got, _, _ := s.LatestConversation(ctx, "/other"); got.ID != "c" {
		t.Errorf("latest for /other = %q", got.ID)
	}

	// A zero Updated means now.
	before := time.Now()
	save(Conversation{ID: "d", Cwd: "/new", Data: []byte(`[]`)})
	if got, _, _ := s.LatestConversation(ctx, "/new"); got.Updated.Before(before) {
		t.Errorf("zero Updated stored as %v", got.Updated)
	}
}

func TestSaveConversationRejectsBadInput(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for _, c := range []Conversation{
		{Cwd: "/w", Data: []byte(`{}`)},
		{ID: "x", Data: []byte(`{}`)},
		{ID: "x", Cwd: "/w", Data: []byte(`{"truncated":`)},
		{ID: "x", Cwd: "/w"},
	} {
		if err := s.SaveConversation(ctx, c); err == nil {
			t.Errorf("SaveConversation(%+v) succeeded", c)
		}
	}
}

func TestHistory(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for _, l := range []string{"one", "two", "two", "  ", "", "three", "two", "multi\nline"} {
		if err := s.AppendHistory(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.History(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"one", "two", "three", "two", "multi\nline"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("History = %q, want %q", got, want)
	}
	if got, _ := s.History(ctx, 2); fmt.Sprint(got) != fmt.Sprint([]string{"two", "multi\nline"}) {
		t.Errorf("History(2) = %q", got)
	}
}

func TestHistoryCap(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	total := HistoryLimit + 25
	for i := range total {
		if err := s.AppendHistory(ctx, fmt.Sprint("line ", i)); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	s.db.QueryRow("SELECT count(*) FROM history").Scan(&n)
	if n != HistoryLimit {
		t.Errorf("%d rows kept, want %d", n, HistoryLimit)
	}
	got, _ := s.History(ctx, 0)
	if len(got) != HistoryLimit || got[0] != fmt.Sprint("line ", total-HistoryLimit) || got[len(got)-1] != fmt.Sprint("line ", total-1) {
		t.Errorf("History: %d lines from %q to %q", len(got), got[0], got[len(got)-1])
	}
}

// Two handles on one file stand for two q processes; busy_timeout and
// immediate transactions must keep every write from failing as "locked".
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	var stores [2]*Store
	for i := range stores {
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 2*200)
	for w, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				id := fmt.Sprintf("w%d-%d", w, i%5)
				errs <- s.SaveConversation(ctx, Conversation{ID: id, Cwd: "/w", Data: []byte(`{}`)})
				errs <- s.AppendHistory(ctx, id)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	stores[0].db.QueryRow("SELECT count(*) FROM conversations").Scan(&n)
	if n != 10 {
		t.Errorf("%d conversations, want 10", n)
	}
}

func TestSecretsAreMaskedBeforeTheyAreStored(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	const pw = "Tr0ub4dor3xQ"
	data := `{"messages":[{"tool":"execute_bash","input":{"command":"sshpass -p ` + pw + ` ssh host"}},{"input":{"password":"` + pw + `"}}],"max_tokens":4096}`
	if err := s.SaveConversation(ctx, Conversation{ID: "a", Cwd: "/w", Data: []byte(data)}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendHistory(ctx, "!mysql -u root -p"+pw+" shop"); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.LatestConversation(ctx, "/w")
	if err != nil {
		t.Fatal(err)
	}
	hist, err := s.History(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	stored := string(got.Data) + strings.Join(hist, "\n")
	if strings.Contains(stored, pw) {
		t.Fatalf("a password was stored: %s", stored)
	}
	if !strings.Contains(stored, `"max_tokens":4096`) || !strings.Contains(stored, "sshpass -p *** ssh host") {
		t.Errorf("stored data lost what is not secret: %s", stored)
	}
}
