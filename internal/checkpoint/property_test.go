package checkpoint

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreProperty: for random sequences of turns that create, modify,
// delete, chmod and replace files, directories and symbolic links,
// restoring checkpoint N gives back exactly the tree recorded as N, leaves
// ignored files as they are, and restoring the undo point gives back the
// tree from before the restore.
func TestRestoreProperty(t *testing.T) {
	seed := uint64(os.Getpid())
	iterations := 12
	if testing.Short() {
		iterations = 3
	}
	for i := range iterations {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		t.Run(fmt.Sprintf("seed%d-%d", seed, i), func(t *testing.T) { restoreProperty(t, rng) })
	}
}

var (
	propDirs  = []string{"", "d/", "d/e/", "f/", "ign/"}
	propNames = []string{"a", "b", "c.bin"}
)

func restoreProperty(t *testing.T, rng *rand.Rand) {
	s := newStore(t)
	outside := t.TempDir()
	s.put(t, ".gitignore", "ign/\n")
	states := map[int]map[string]string{}
	turns := 2 + rng.IntN(6)
	for range turns {
		for range 1 + rng.IntN(5) {
			mutate(t, s, rng, outside)
		}
		c := s.mustRecord(t, "turn")
		states[c.N] = withoutIgnored(tree(t, s.Workspace))
	}
	n := rng.IntN(len(states))
	want, ok := states[n]
	if !ok {
		// Unchanged turns share a number: pick one that exists.
		for k, v := range states {
			n, want = k, v
			break
		}
	}
	before := tree(t, s.Workspace)
	r, err := s.Restore(ctx, n, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Conflicts) > 0 {
		t.Fatalf("conflicts restoring %d: %v", n, r.Conflicts)
	}
	got := tree(t, s.Workspace)
	if d := diffTrees(want, withoutIgnored(got)); d != "" {
		t.Fatalf("restore %d: %s", n, d)
	}
	if d := diffTrees(onlyIgnored(before), onlyIgnored(got)); d != "" {
		t.Fatalf("restore %d changed an ignored file: %s", n, d)
	}
	if _, err := s.Restore(ctx, r.Undo.N, ""); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(before, tree(t, s.Workspace)); d != "" {
		t.Fatalf("undo of restore %d: %s", n, d)
	}
}

// mutate makes one random change in the workspace.
func mutate(t *testing.T, s *Store, rng *rand.Rand, outside string) {
	t.Helper()
	rel := propDirs[rng.IntN(len(propDirs))] + propNames[rng.IntN(len(propNames))]
	full := filepath.Join(s.Workspace, rel)
	clear := func() {
		// Make room: whatever stands on the path or on its directories.
		for dir := filepath.Dir(full); dir != s.Workspace; dir = filepath.Dir(dir) {
			if fi, err := os.Lstat(dir); err == nil && !fi.IsDir() {
				_ = os.Remove(dir)
			}
		}
		_ = os.RemoveAll(full)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	switch op := rng.IntN(10); {
	case op < 5: // create or modify
		clear()
		content := []byte(strings.Repeat(fmt.Sprint(rng.IntN(1000)), 1+rng.IntN(3)))
		if strings.HasSuffix(rel, ".bin") {
			content = append(content, 0, byte(rng.IntN(256)), 0xff)
		}
		mode := os.FileMode(0o644)
		if rng.IntN(4) == 0 {
			mode = 0o755
		}
		if err := os.WriteFile(full, content, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			t.Fatal(err)
		}
	case op < 8: // delete
		_ = os.RemoveAll(full)
	case op < 9: // a symbolic link, inside or to the outside
		clear()
		target := "a"
		if rng.IntN(2) == 0 {
			target = outside
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	default: // the file becomes a directory
		clear()
		if err := os.MkdirAll(full, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(full, "inner"), []byte("in"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func withoutIgnored(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !strings.HasPrefix(k, "ign/") {
			out[k] = v
		}
	}
	return out
}

func onlyIgnored(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if strings.HasPrefix(k, "ign/") {
			out[k] = v
		}
	}
	return out
}
