package contextfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/qdev/qdev/internal/glob"
)

// Resolve turns a context path as written ("file://docs/a.md", "~/x",
// "rules/*.md") into an absolute path or pattern: "file://" is dropped,
// "~" is home, and a relative path is under baseDir.
func Resolve(p, baseDir, home string) string {
	p = strings.TrimPrefix(p, "file://")
	base, rest := baseDir, p
	switch {
	case p == "~":
		return filepath.Clean(home)
	case strings.HasPrefix(p, "~/"):
		base, rest = home, p[2:]
	case filepath.IsAbs(p):
		return filepath.Clean(p)
	}
	if isGlob(rest) {
		// The base directory is literal even if its name has glob characters.
		base = glob.Escape(base) // doublestar escapes as glob does
	}
	return filepath.Join(base, rest)
}

// isGlob is the Q CLI's test: a path with '*', '?' or '[' is a pattern.
func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// Expand returns the absolute paths of the files p names, sorted: the
// files a glob matches ("**" crosses directories, "*" does not), the files
// directly inside a directory (not recursive, as the Q CLI), or the file
// itself. A path that does not exist gives no files and no error; a bad
// pattern or an unreadable directory gives an error.
func Expand(p, baseDir, home string) ([]string, error) {
	full := Resolve(p, baseDir, home)
	if isGlob(strings.TrimPrefix(p, "file://")) {
		if !doublestar.ValidatePathPattern(full) {
			return nil, fmt.Errorf("invalid glob pattern %q", full)
		}
		matches, err := doublestar.FilepathGlob(full, doublestar.WithFilesOnly())
		if err != nil {
			return nil, err
		}
		sort.Strings(matches)
		return matches, nil
	}
	st, err := os.Stat(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, reason(err)
	}
	if !st.IsDir() {
		return []string{full}, nil
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return nil, reason(err)
	}
	var out []string
	for _, e := range entries {
		fp := filepath.Join(full, e.Name())
		if st, err := os.Stat(fp); err == nil && st.Mode().IsRegular() {
			out = append(out, fp)
		}
	}
	return out, nil
}
