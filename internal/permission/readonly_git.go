package permission

import (
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/shell"
)

// gitReadOnly allows status, diff, log and show without options that write
// (--output, also abbreviated) or run external diff programs, and branch
// only when it lists, and only when the command line turns off the
// repository configuration that runs programs (shell.GitSafe): the agent
// can write .git/config, so "git log" alone may run core.pager or
// core.fsmonitor.
func gitReadOnly(args []string) bool {
	if !shell.GitSafe(args) {
		return false
	}
	_, verb, rest, ok := shell.GitCommand(args)
	if !ok {
		return false
	}
	switch verb {
	case "status":
		// -v shows the staged diff, through diff drivers status cannot
		// turn off.
		return !hasLongOption(rest, "verbose") && !slices.ContainsFunc(rest, isShortVerbose)
	case "diff", "log", "show":
		return !hasLongOption(rest, "output", "ext-diff", "textconv")
	case "branch":
		return gitBranchLists(rest)
	}
	return false
}

// hasLongOption reports whether args use one of the long options, also
// abbreviated as git accepts any unambiguous prefix ("--out=x"), before a
// "--".
func hasLongOption(args []string, long ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			for _, l := range long {
				if strings.HasPrefix(l, name) || strings.HasPrefix(name, l) {
					return true
				}
			}
		}
	}
	return false
}

// gitBranchListing is every option under which git branch only lists.
var gitBranchListing = map[string]bool{
	"-a": true, "--all": true, "-r": true, "--remotes": true, "-v": true, "-vv": true,
	"--verbose": true, "--list": true, "-l": true, "--show-current": true,
	"--no-color": true, "--color": true, "--column": true, "--no-column": true,
	"-i": true, "--ignore-case": true, "--merged": true, "--no-merged": true,
	"--contains": true, "--no-contains": true, "--points-at": true,
}

// gitBranchLists reports whether git branch with args only lists branches: a
// bare name would create one, so names (patterns) need --list or -l.
func gitBranchLists(args []string) bool {
	listing := false
	for _, a := range args {
		if a == "--list" || a == "-l" {
			listing = true
		}
	}
	for _, a := range args {
		name, _, _ := strings.Cut(a, "=")
		switch {
		case gitBranchListing[name] || name == "--sort" || name == "--format" || name == "--abbrev":
		case !strings.HasPrefix(a, "-") && listing:
		default:
			return false
		}
	}
	return true
}

// isShortVerbose reports a short option cluster holding -v.
func isShortVerbose(a string) bool {
	return len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsRune(a[1:], 'v')
}
