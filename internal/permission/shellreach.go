package permission

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/shell"
)

// deniedReach judges, for one command, what matching a literal path
// against deniedPaths cannot see:
//   - a glob argument that could match a denied path, whether or not the
//     files exist now ("cat ~/.s?h/id_rsa", "/home/*/.ssh/id_rsa");
//   - a directory above a denied path given to a program that reads
//     recursively ("grep -r x ~", "tar -cf - ~");
//   - a path whose start is computed when it runs or names another user's
//     home ("`echo ~`/.ssh/id_rsa", "~user/.ssh"), judged by the part of
//     the denied path below the home directory;
//   - inline code naming a denied path (python -c 'open("~/.ssh/…")').
func (c *Checker) deniedReach(cmd *shell.Command, home string) (Decision, bool) {
	recursive := readsRecursively(cmd)
	for _, fs := range c.deniedSets() {
		for _, r := range fs.set {
			for _, rp := range r.paths {
				if why := reaches(cmd, rp, home, c.cwd, recursive); why != "" {
					return deny(LayerAgent, `toolsSettings.`+fs.tool+`.deniedPaths "`+r.orig+`"`,
						r.orig, "execute_bash "+why), true
				}
			}
		}
	}
	return Decision{}, false
}

// reaches says how cmd may reach the denied path pattern rule, or "".
func reaches(cmd *shell.Command, rule, home, cwd string, recursive bool) string {
	ruleComps := splitPath(rule)
	tail := ""
	if rel, ok := strings.CutPrefix(rule, strings.TrimSuffix(home, "/")+"/"); ok && home != "" {
		tail = rel
	}
	if tail != "" && cmd.Code != "" && (strings.Contains(cmd.Code, rule) || strings.Contains(cmd.Code, "/"+tail)) {
		return "runs inline code naming " + rule
	}
	for j, arg := range cmd.Args {
		if j == 0 {
			continue
		}
		for _, a := range argPaths(arg) {
			a = homePath(a, home)
			if !literalPath(a) || strings.HasPrefix(a, "~") {
				if tail != "" && (strings.Contains(a, "/"+tail+"/") || strings.HasSuffix(a, "/"+tail)) {
					return "names " + a + ", which may be " + rule
				}
				continue
			}
			if !filepath.IsAbs(a) {
				a = filepath.Join(cwd, a)
			}
			argComps := splitPath(a)
			n := min(len(argComps), len(ruleComps))
			if !compsMatch(argComps[:n], ruleComps[:n]) {
				continue
			}
			switch {
			case len(argComps) >= len(ruleComps) && strings.ContainsAny(a, "*?["):
				return "names " + a + ", which may match " + rule
			case len(argComps) < len(ruleComps) && recursive:
				return "reads " + a + " recursively, which holds " + rule
			}
		}
	}
	return ""
}

// literalPath reports whether a holds no expansion the shell computes when
// the command runs.
func literalPath(a string) bool { return !strings.ContainsAny(a, "$`") }

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// compsMatch reports whether two path patterns could name the same path,
// component by component: either side may be a glob.
func compsMatch(a, b []string) bool {
	for i := range a {
		if a[i] == b[i] || a[i] == "**" || b[i] == "**" {
			continue
		}
		if ok, _ := path.Match(a[i], b[i]); ok {
			continue
		}
		if ok, _ := path.Match(b[i], a[i]); ok {
			continue
		}
		return false
	}
	return true
}

// recursiveReaders read whole directory trees whatever their options.
var recursiveReaders = map[string]bool{"tar": true, "zip": true, "rsync": true, "find": true,
	"rg": true, "ag": true, "fd": true, "tree": true, "cpio": true, "7z": true, "scp": true, "du": true}

// readsRecursively reports whether cmd may read a directory's whole tree:
// a program that does so by nature, or an -r, -R, -a or --recursive option.
func readsRecursively(cmd *shell.Command) bool {
	if recursiveReaders[cmd.Base()] {
		return true
	}
	for _, a := range cmd.Args[1:] {
		switch {
		case a == "--recursive" || a == "--dereference-recursive":
			return true
		case len(a) > 1 && a[0] == '-' && a[1] != '-' && (strings.ContainsAny(a[1:], "rR") || cmd.Base() == "cp" && strings.Contains(a[1:], "a")):
			return true
		}
	}
	return false
}
