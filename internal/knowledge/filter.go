package knowledge

import (
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// patterns are a base's --include and --exclude globs, with the Q CLI's
// meaning: a pattern without a slash matches a file name at any depth
// ("*.rs" is "**/*.rs"), one with a slash matches the path below the base
// or any tail of it ("target/**" also excludes "sub/target/x"), and an
// absolute pattern matches the absolute path. With include patterns only
// matching files are indexed; exclude patterns win over them.
type patterns struct {
	root             string
	include, exclude []string
}

func newPatterns(root string, include, exclude []string) (*patterns, error) {
	check := func(kind string, ps []string) error {
		for _, p := range ps {
			if strings.TrimSpace(p) == "" || !doublestar.ValidatePattern(p) {
				return fmt.Errorf("invalid %s pattern %q: not a glob pattern (use *, ** and [...])", kind, p)
			}
		}
		return nil
	}
	if err := check("include", include); err != nil {
		return nil, err
	}
	if err := check("exclude", exclude); err != nil {
		return nil, err
	}
	return &patterns{root: root, include: include, exclude: exclude}, nil
}

// match reports whether pattern p matches rel, a slash-separated path
// relative to the root.
func (f *patterns) match(p, rel string) bool {
	if strings.HasPrefix(p, "/") {
		ok, _ := doublestar.Match(p, path.Join(f.root, rel))
		return ok
	}
	if !strings.Contains(p, "/") {
		ok, _ := doublestar.Match(p, path.Base(rel))
		return ok
	}
	for tail := rel; ; {
		if ok, _ := doublestar.Match(p, tail); ok {
			return true
		}
		i := strings.IndexByte(tail, '/')
		if i < 0 {
			return false
		}
		tail = tail[i+1:]
	}
}

// includes reports whether the file rel is indexed.
func (f *patterns) includes(rel string) bool {
	for _, p := range f.exclude {
		if f.match(p, rel) {
			return false
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, p := range f.include {
		if f.match(p, rel) {
			return true
		}
	}
	return false
}

// excludesDir reports whether nothing below the folder rel can be indexed,
// so the walk need not enter it: an exclude pattern matches the folder
// itself or, as "dir/**", everything in it.
func (f *patterns) excludesDir(rel string) bool {
	for _, p := range f.exclude {
		if f.match(p, rel) {
			return true
		}
		if prefix, ok := strings.CutSuffix(p, "/**"); ok && prefix != "" && f.match(prefix, rel) {
			return true
		}
	}
	return false
}
