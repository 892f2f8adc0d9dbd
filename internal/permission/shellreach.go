package permission

import (
	"path"
	"path/filepath"
	"regexp"
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
//   - a path holding variables or substitutions ("$f.txt",
//     "/dir/$(printf secret).txt"), each expansion standing for any text,
//     or for the literal value the line assigns to the variable.
func (c *Checker) deniedReach(cmd *shell.Command, home string, vars map[string]string) (Decision, bool) {
	recursive := readsRecursively(cmd)
	for _, fs := range c.deniedSets() {
		for _, r := range fs.set {
			for _, rp := range r.paths {
				if why := reaches(cmd, rp, home, c.cwd, recursive, vars); why != "" {
					return deny(LayerAgent, `toolsSettings.`+fs.tool+`.deniedPaths "`+r.orig+`"`,
						r.orig, "execute_bash "+why), true
				}
			}
		}
	}
	return Decision{}, false
}

// reaches says how cmd may reach the denied path pattern rule, or "".
func reaches(cmd *shell.Command, rule, home, cwd string, recursive bool, vars map[string]string) string {
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
				if computedMayName(a, rule, cwd, vars) {
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
	if len(cmd.Args) == 0 { // an assignment or redirection alone: no program
		return false
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

// expansionRe finds what the shell computes in a word: a variable, ${…},
// $(…) or `…` (one level of nesting is enough to find the word's literal
// parts).
var expansionRe = regexp.MustCompile("\\$\\{[^}]*\\}|\\$\\((?:[^()]|\\([^()]*\\))*\\)|`[^`]*`|\\$[A-Za-z_][A-Za-z0-9_]*|\\$[0-9@*#?$!-]")

// varNameRe takes the variable name out of "$f" or "${f}" (plain forms only).
var varNameRe = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`)

// computedMayName reports whether the computed path a may name the denied
// path rule or something below it. Each expansion stands for its literal
// value when the line assigns one (f=secret; cat $f.txt), else for any
// text, slashes included. A word with no literal part other than slashes
// ("$X", "$a/$b" with unknown values) is not judged: it says nothing of
// where it leads.
func computedMayName(a, rule, cwd string, vars map[string]string) bool {
	var re strings.Builder
	re.WriteString("^")
	literal := ""
	last := 0
	startsUnknown := false
	for i, m := range expansionRe.FindAllStringIndex(a, -1) {
		lit := a[last:m[0]]
		literal += lit
		re.WriteString(regexp.QuoteMeta(lit))
		exp := a[m[0]:m[1]]
		if v, ok := varValue(exp, vars); ok {
			literal += v
			re.WriteString(regexp.QuoteMeta(v))
		} else {
			if i == 0 && m[0] == 0 {
				startsUnknown = true // absolute or relative: either may match
			}
			re.WriteString(".*")
		}
		last = m[1]
	}
	if last == 0 {
		return false
	}
	lit := a[last:]
	literal += lit
	re.WriteString(regexp.QuoteMeta(lit))
	re.WriteString("(/.*)?$")
	if strings.Trim(literal, "/") == "" {
		return false
	}
	pat := re.String()
	if !startsUnknown && !strings.HasPrefix(literal, "/") {
		pat = "^" + regexp.QuoteMeta(strings.TrimSuffix(cwd, "/")+"/") + pat[1:]
	}
	r, err := regexp.Compile(pat)
	if err != nil {
		return true // fail closed
	}
	return r.MatchString(filepath.Clean(rule))
}

// varValue is the literal value the line assigns to the variable exp
// names ("$f", "${f}"), if any.
func varValue(exp string, vars map[string]string) (string, bool) {
	m := varNameRe.FindStringSubmatch(exp)
	if m == nil {
		return "", false
	}
	v, ok := vars[m[1]]
	return v, ok
}

// lineVars collects the literal values a line assigns to variables
// ("f=secret"); a variable assigned twice, or to a computed value, is
// left out, so its expansions stand for any text.
func lineVars(cmds []shell.Command) map[string]string {
	vars := map[string]string{}
	bad := map[string]bool{}
	for i := range cmds {
		for _, as := range cmds[i].Assigns {
			name, v, ok := strings.Cut(as, "=")
			if !ok {
				continue
			}
			name = strings.TrimSuffix(name, "+")
			if _, seen := vars[name]; seen || !literalPath(v) {
				bad[name] = true
			}
			vars[name] = v
		}
	}
	for n := range bad {
		delete(vars, n)
	}
	return vars
}
