// Package homepath expands a leading "~" in paths the way shells do for
// the user's own home: "~" and "~/rest" only, never "~user".
package homepath

import (
	"path/filepath"
	"strings"
)

// Expand returns p with a leading "~" or "~/" replaced by home, cleaned; any
// other p is returned unchanged. An empty home leaves p unchanged, so a
// caller that could not find the home directory does not turn "~/x" into
// "/x".
func Expand(p, home string) string {
	if home == "" || !HasTilde(p) {
		return p
	}
	return filepath.Join(home, p[1:])
}

// HasTilde reports whether p starts with "~" meaning the user's home: "~"
// alone or "~/…".
func HasTilde(p string) bool {
	return p == "~" || strings.HasPrefix(p, "~/")
}

// Abs expands a leading "~" with home and makes the result absolute against
// dir.
func Abs(p, home, dir string) string {
	p = Expand(p, home)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p)
}
