package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxNesting bounds how deep nested repositories are entered.
const maxNesting = 16

// ErrTooManyFiles is returned when the workspace holds more files than
// Store.MaxFiles.
var ErrTooManyFiles = errors.New("the workspace has too many files for checkpoints")

// snap is the workspace as written to the store's index.
type snap struct {
	tree    string
	skipped []string
}

// snapshot writes the workspace's files to the store (the index, then a
// tree object) and returns the tree. The index persists between
// snapshots, so git hashes again only the files whose metadata changed.
func (s *Store) snapshot(ctx context.Context) (snap, error) {
	files, skipped, err := s.files(ctx)
	if err != nil {
		return snap{}, err
	}
	tree, err := s.writeIndex(ctx, files)
	if err != nil {
		// A damaged index (a crash mid-write) is only a cache: start over.
		_ = os.Remove(s.git.index)
		if tree, err = s.writeIndex(ctx, files); err != nil {
			return snap{}, err
		}
	}
	return snap{tree: tree, skipped: skipped}, nil
}

func (s *Store) writeIndex(ctx context.Context, files []string) (string, error) {
	// The store's lock is held: a lock file git left behind is stale.
	_ = os.Remove(s.git.index + ".lock")
	cached, err := s.git.run(ctx, nil, "ls-files", "-z", "--cached")
	if err != nil {
		return "", err
	}
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[f] = true
	}
	var stale []string
	for _, p := range splitZ(cached) {
		if !keep[p] {
			stale = append(stale, p)
		}
	}
	if len(stale) > 0 {
		if _, err := s.git.run(ctx, joinZ(stale), "update-index", "-z", "--force-remove", "--stdin"); err != nil {
			return "", err
		}
	}
	if len(files) > 0 {
		if _, err := s.git.run(ctx, joinZ(files), "update-index", "-z", "--add", "--remove", "--replace", "--stdin"); err != nil {
			return "", err
		}
	}
	return s.git.line(ctx, nil, "write-tree")
}

// files lists the workspace's files and symbolic links that checkpoints
// record, sorted, and the files too large to record.
func (s *Store) files(ctx context.Context) (files, skipped []string, err error) {
	// A path that does not exist is an empty index: every file the
	// .gitignore files do not exclude is then listed as untracked.
	empty := filepath.Join(s.Dir, "empty-index")
	_ = os.Remove(empty)
	err = s.walk(ctx, empty, "", 0, func(rel string, fi fs.FileInfo) error {
		switch {
		case fi.Mode().IsRegular() && fi.Size() > s.MaxFileBytes:
			skipped = append(skipped, rel)
		case fi.Mode().IsRegular(), fi.Mode()&fs.ModeSymlink != 0:
			files = append(files, rel)
			if len(files) > s.MaxFiles {
				return fmt.Errorf("%w (more than %d)", ErrTooManyFiles, s.MaxFiles)
			}
		}
		return nil
	})
	sort.Strings(files)
	sort.Strings(skipped)
	return files, skipped, err
}

// walk calls fn for each path git lists as not ignored under the
// directory prefix (relative to the workspace, "" for its root), entering
// nested repositories, which git lists as a directory.
func (s *Store) walk(ctx context.Context, empty, prefix string, depth int, fn func(string, fs.FileInfo) error) error {
	g := s.git.withIndex(empty).withWorkTree(filepath.Join(s.Workspace, filepath.FromSlash(prefix)))
	out, err := g.run(ctx, nil, "ls-files", "-z", "--others", "--exclude-standard")
	if err != nil {
		return err
	}
	for _, p := range splitZ(out) {
		rel := path.Join(prefix, p)
		if !safeRel(rel) {
			continue
		}
		if strings.HasSuffix(p, "/") {
			// Entered only as a real directory: one replaced by a link
			// since git listed it must not take the walk outside.
			fi, err := os.Lstat(filepath.Join(s.Workspace, filepath.FromSlash(rel)))
			if err == nil && fi.IsDir() && depth < maxNesting {
				if err := s.walk(ctx, empty, rel, depth+1, fn); err != nil {
					return err
				}
			}
			continue
		}
		fi, err := os.Lstat(filepath.Join(s.Workspace, filepath.FromSlash(rel)))
		if err != nil {
			continue // gone since git listed it
		}
		if err := fn(rel, fi); err != nil {
			return err
		}
	}
	return nil
}

// safeRel reports whether rel is a clean relative path inside the
// workspace with no .git component.
func safeRel(rel string) bool {
	rel = strings.TrimSuffix(rel, "/")
	if rel == "" || !filepath.IsLocal(rel) || path.Clean(rel) != rel {
		return false
	}
	for _, c := range strings.Split(rel, "/") {
		if strings.EqualFold(c, ".git") {
			return false
		}
	}
	return true
}

// change is one path that differs between two trees.
type change struct {
	status  byte // A, D, M or T
	path    string
	newMode string
}

// changes lists the paths that differ between trees a and b.
func (s *Store) changes(ctx context.Context, a, b string) ([]change, error) {
	out, err := s.git.run(ctx, nil, "diff-tree", "-r", "-z", "--no-renames", "--no-ext-diff", a, b)
	if err != nil {
		return nil, err
	}
	f := splitZ(out)
	var cs []change
	for i := 0; i+1 < len(f); i += 2 {
		// :oldmode newmode oldsha newsha status, then the path.
		head := strings.Fields(strings.TrimPrefix(f[i], ":"))
		if len(head) != 5 || head[4] == "" || !safeRel(f[i+1]) {
			return nil, fmt.Errorf("unexpected output of git diff-tree: %q", f[i])
		}
		cs = append(cs, change{status: head[4][0], path: f[i+1], newMode: head[1]})
	}
	return cs, nil
}
