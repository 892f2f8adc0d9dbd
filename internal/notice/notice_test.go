package notice

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFirstOncePerKeyAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", FileName)
	a := Key("agent", "/w/a.json", "digest1")
	if !Open(path).First(a) {
		t.Fatal("a new notice is not first")
	}
	s := Open(path) // a later run
	if s.First(a) {
		t.Fatal("a notice shown by an earlier run is shown again")
	}
	if !s.First(Key("agent", "/w/a.json", "digest2")) {
		t.Fatal("a changed file's notice is not shown")
	}
	if s.First(Key("agent", "/w/a.json", "digest2")) {
		t.Fatal("a notice is shown twice in one run")
	}
	if Key("a", "bc") == Key("ab", "c") {
		t.Fatal("key parts run together")
	}
}

func TestUnreadableRecordShowsAgain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !Open(path).First("k") {
		t.Fatal("a broken record hides a notice")
	}
	if Open(path).First("k") {
		t.Fatal("the record was not rewritten")
	}
}

func TestTrimKeepsTheNewest(t *testing.T) {
	s := &Store{path: filepath.Join(t.TempDir(), FileName), seen: map[string]int64{}}
	for i := 0; i < maxEntries+10; i++ {
		s.seen[Key("k", string(rune(i)))] = int64(i)
	}
	s.trim()
	if len(s.seen) != maxEntries {
		t.Fatalf("%d entries", len(s.seen))
	}
	if _, ok := s.seen[Key("k", string(rune(0)))]; ok {
		t.Fatal("the oldest notice was kept")
	}
	if _, ok := s.seen[Key("k", string(rune(maxEntries+9)))]; !ok {
		t.Fatal("the newest notice was dropped")
	}
}
