package permission

import "strings"

// Read-only commands, auto-allowed by execute_bash's autoAllowReadonly.
//
// The original's list is ls, cat, echo, pwd, which, head, tail, find, grep,
// dir and type, with find refused when an argument contains -exec, -ok,
// -delete, -fprint or -fls and grep when one contains -P or --perl-regexp
// (study §2.5). qdev adds commands that cannot write or run anything with
// any argument (wc, cut, tr, stat, du, df, cd, basename, dirname, realpath,
// readlink, true, false) and a few that can, behind argument checks (sort,
// uniq, file, git status|diff|log|show|branch). sed, awk, xargs, env, tee
// and every shell or wrapper stay out: they run or write arbitrary things.
// git reads the repository's configuration, which can name programs
// (core.fsmonitor, diff.external); like the user's own shell, qdev takes the
// repository it works in as given, but refuses "git -c" which would let the
// command line itself name one.

// anyArgs lists commands that neither write files nor run programs whatever
// their arguments, so expansions and globs in them are harmless.
var anyArgs = map[string]bool{
	"ls": true, "cat": true, "echo": true, "pwd": true, "which": true, "head": true,
	"dir": true, "type": true, "wc": true, "cut": true, "tr": true, "stat": true,
	"du": true, "df": true, "cd": true, "basename": true, "dirname": true,
	"realpath": true, "readlink": true, "true": true, "false": true,
}

// checked lists commands with dangerous options. Their arguments must be
// literals, so that a variable or a file named "-delete" cannot smuggle an
// option in ("wildcard injection"); grep alone accepts globs, as
// "grep x *.go" is common and grep has no option that writes or runs.
var checked = map[string]func(args []string) bool{
	"find": findReadOnly,
	"grep": func(a []string) bool { return !hasOption(a, "P", "perl-regexp") },
	"tail": func(a []string) bool { return !hasOption(a, "fF", "follow") },
	"sort": func(a []string) bool { return !hasOption(a, "o", "output", "compress-program") },
	"uniq": uniqReadOnly,
	"file": func(a []string) bool { return !hasOption(a, "C", "compile") },
	"git":  gitReadOnly,
}

// IsReadOnly reports whether c only reads, by the rules above. Commands
// writing through a redirection, with assignments, with a computed name,
// under time/coproc, or named by a path ("/bin/ls") are never read-only.
func IsReadOnly(c Cmd) bool {
	if c.Dynamic || c.Name == "" || len(c.Assigns) > 0 || c.Keyword != "" || c.WritesFiles {
		return false
	}
	if anyArgs[c.Name] {
		return true
	}
	check := checked[c.Name]
	if check == nil || c.DynamicArgs || (c.GlobArgs && c.Name != "grep") {
		return false
	}
	return check(c.Args[1:])
}

// findReadOnly refuses the actions that run programs, delete files or write
// to files. Like the original it looks for the names inside every argument,
// which also catches "-execdir", "-okdir" and "-fprint0".
func findReadOnly(args []string) bool {
	for _, a := range args {
		for _, bad := range []string{"-exec", "-ok", "-delete", "-fprint", "-fls"} {
			if strings.Contains(a, bad) {
				return false
			}
		}
	}
	return true
}

// hasOption reports whether args use one of the given short option letters
// (also inside a cluster such as "-uo") or long options (also abbreviated,
// as getopt_long and git accept any unambiguous prefix: "--out=x"). It errs
// on the side of true: "-t o" style values glued to a cluster count too.
func hasOption(args []string, short string, long ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			for _, l := range long {
				if strings.HasPrefix(l, name) {
					return true
				}
			}
			continue
		}
		if strings.HasPrefix(a, "-") && strings.ContainsAny(a[1:], short) {
			return true
		}
	}
	return false
}

// uniqReadOnly refuses a second operand, which uniq opens as its output.
// Values of -f, -s and -w count as operands, which only errs on asking.
func uniqReadOnly(args []string) bool {
	operands := 0
	opts := true
	for _, a := range args {
		switch {
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "-") && a != "-":
		default:
			operands++
		}
	}
	return operands <= 1
}

// gitReadOnly allows status, diff, log and show without options that write
// (--output, also abbreviated) or run external diff programs, and branch
// only when it lists. Global options other than --no-pager and -C <dir> are
// refused: "-c core.fsmonitor=…" and friends run arbitrary programs.
func gitReadOnly(args []string) bool {
	i := 0
	for i < len(args) {
		if args[i] == "--no-pager" || args[i] == "-P" {
			i++
		} else if args[i] == "-C" && i+1 < len(args) {
			i += 2
		} else {
			break
		}
	}
	args = args[i:]
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "status":
		return true
	case "diff", "log", "show":
		return !hasOption(args[1:], "", "output", "ext-diff")
	case "branch":
		return gitBranchLists(args[1:])
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
