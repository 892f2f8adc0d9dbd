package managed

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/glob"
)

// SystemPATH is the search path that a bare program name in an
// allowedMcpServers "command" pattern is looked up on: the system's own
// directories, never the user's or a server's PATH, which a repository's
// MCP configuration could point anywhere.
const SystemPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// commandMatches reports whether the allowedMcpServers command pattern
// allows the program resolved, an absolute path with symbolic links
// resolved. The name a server's configuration spells is never compared,
// for its PATH decides what it means:
//
//   - a pattern with '/' is a path glob matched against resolved; a
//     literal path also matches when it leads to resolved through symbolic
//     links ("/usr/bin/node" allows /usr/lib/nodejs/bin/node when that is
//     where the link goes);
//   - a bare name ("npx") means the program of that name that SystemPATH
//     finds first, so it matches only when resolved is that same file; a
//     bare glob ("uv*") any program it matches in a SystemPATH directory.
//
// A command that is not an absolute path (unresolved) matches nothing.
func commandMatches(pattern, resolved string) bool {
	if !filepath.IsAbs(resolved) {
		return false
	}
	if strings.Contains(pattern, "/") {
		if globMatch(pattern, resolved) {
			return true
		}
		return !hasGlob(pattern) && sameFile(pattern, resolved)
	}
	for _, dir := range filepath.SplitList(SystemPATH) {
		if !hasGlob(pattern) {
			if p := filepath.Join(dir, pattern); isExecutable(p) {
				return sameFile(p, resolved)
			}
			continue
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if p := filepath.Join(dir, e.Name()); globMatch(pattern, e.Name()) && isExecutable(p) && sameFile(p, resolved) {
				return true
			}
		}
	}
	return false
}

// hasGlob reports whether pattern uses glob syntax.
func hasGlob(pattern string) bool { return glob.IsPattern(pattern, glob.Plain) }

// sameFile reports whether path, symbolic links resolved, is resolved.
func sameFile(path, resolved string) bool {
	real, err := filepath.EvalSymlinks(path)
	return err == nil && real == resolved
}

// isExecutable reports whether p is a regular file someone may execute.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
