package permission

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/paths"
)

// ProtectedReason is the rule of an Ask for a write to q's own
// configuration.
const ProtectedReason = "q's own configuration: a change here can make later sessions more permissive"

// protectedNames are directory names whose contents q loads as agents,
// hooks, MCP servers or rules wherever they are: the workspace of a later
// session may be any directory, so every .amazonq and .kiro counts, as does
// everything in or named .git (config, hooks and the rest can make the next
// git operation run a program; a .git file can point git elsewhere).
var protectedNames = map[string]bool{".amazonq": true, ".kiro": true}

// protectedSet is q's configuration as the file system has it: the named
// directories above anywhere, and the user's and organisation's own
// directories.
type protectedSet struct {
	// dirs are the directories protected with all below them, lower-cased
	// and in every form (as configured and canonical).
	dirs []string
}

// newProtected lists q's configuration for a user with home: the global
// agents and MCP file (~/.aws/amazonq), q's configuration directory
// (settings, trusted workspaces), the system managed settings' directory
// and the additional managed file, if one is named.
func newProtected(home string) protectedSet {
	var ps protectedSet
	for _, d := range []string{filepath.Join(home, ".aws", "amazonq"), paths.ConfigDir(), filepath.Dir(managed.SystemPath()), managed.OverridePath()} {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		ps.dirs = append(ps.dirs, strings.ToLower(filepath.Clean(d)), strings.ToLower(resolve(d)))
	}
	return ps
}

// match reports whether the path p (absolute, or relative to cwd) is q's
// configuration. It looks at the path as written, canonicalised and with
// every symbolic link followed even when its target does not exist yet,
// and compares without case, since on a case-insensitive file system
// .AmazonQ is .amazonq.
func (ps protectedSet) match(p, cwd string) bool {
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	for _, form := range append(requestForms(p, cwd), resolve(p)) {
		if ps.covers(strings.ToLower(form)) {
			return true
		}
	}
	return false
}

func (ps protectedSet) covers(form string) bool {
	comps := strings.Split(form, "/")
	for _, c := range comps {
		if protectedNames[c] {
			return true
		}
		// Anything in a .git directory can make git run a program:
		// config, config.worktree, hooks, modules/*/hooks, commondir.
		if c == ".git" {
			return true
		}
	}
	for _, d := range ps.dirs {
		if form == d || strings.HasPrefix(form, strings.TrimSuffix(d, "/")+"/") {
			return true
		}
	}
	return false
}

// resolve follows every symbolic link in the absolute path p, including
// one whose target does not exist yet (which EvalSymlinks cannot): a link
// to a missing .amazonq would otherwise hide a write that creates it.
func resolve(p string) string {
	out := "/"
	rest := components(p)
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		next := filepath.Join(out, c)
		target, err := os.Readlink(next)
		if err != nil || hops >= 40 {
			out = next
			continue
		}
		hops++
		if filepath.IsAbs(target) {
			out = "/"
		}
		rest = append(components(target), rest...)
	}
	return filepath.Clean(out)
}
