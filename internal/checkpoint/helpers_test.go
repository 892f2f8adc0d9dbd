package checkpoint

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// newStore opens a store for a fresh workspace in a temp dir.
func newStore(t *testing.T) *Store {
	t.Helper()
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), filepath.Join(root, "data"), ws, filepath.Join(root, "home"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *Store) put(t *testing.T, rel, content string) {
	t.Helper()
	p := filepath.Join(s.Workspace, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *Store) mustRecord(t *testing.T, label string) Checkpoint {
	t.Helper()
	c, _, err := s.Record(context.Background(), Checkpoint{Kind: KindTurn, Label: label})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tree reads every file and link under dir (the .git directories
// included: they must not change either), as a map of path to a
// description of type, mode and content. Directories are left out:
// checkpoints, like git, record files, and a directory emptied after a
// checkpoint may remain.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "link " + target
		case fi.IsDir():
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fi.Mode().Perm().String() + " " + string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffTrees names the first difference between two trees, "" if none.
func diffTrees(want, got map[string]string) string {
	for k, v := range want {
		if g, ok := got[k]; !ok {
			return "missing " + k
		} else if g != v {
			return k + ": got " + g + ", want " + v
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			return "extra " + k
		}
	}
	return ""
}
