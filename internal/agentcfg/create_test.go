package agentcfg

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cli-agents")
	a := &Agent{Name: "rev", Description: "reviews", Tools: []string{"fs_read"}}
	path, err := Create(dir, a)
	if err != nil || path != filepath.Join(dir, "rev.json") {
		t.Fatalf("Create: %q, %v", path, err)
	}
	back, err := ParseFile(path)
	if err != nil || back.Name != "rev" || back.Description != "reviews" || len(back.Tools) != 1 {
		t.Fatalf("written file reads back as %+v, %v", back, err)
	}

	// An existing file is never replaced.
	if err := os.WriteFile(path, []byte(`{"name":"rev","description":"mine"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Create(dir, &Agent{Name: "rev"})
	var exists *ExistsError
	if !errors.As(err, &exists) || !errors.Is(err, fs.ErrExist) || exists.Path != path || !strings.Contains(err.Error(), path+" already exists") {
		t.Fatalf("second Create: %v", err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "mine") {
		t.Fatalf("the existing file was changed: %s", data)
	}

	for _, bad := range []string{"", "  ", "a/b", `a\b`, ".hidden", "../up"} {
		if _, err := Create(dir, &Agent{Name: bad}); err == nil || !strings.Contains(err.Error(), "invalid agent name") {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
}
