package permission

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/shell"
)

// shellDeniedPaths applies fs_read's and fs_write's deniedPaths to a shell
// command line, as far as the analysis sees the paths: the targets of its
// redirections and every literal argument (also the value of "--opt=value"
// and "of=value"). A path denied to fs_read or fs_write is denied to
// execute_bash too, even under trust, as it is to those tools.
func (c *Checker) shellDeniedPaths(a *shell.Analysis) (Decision, bool) {
	if len(c.read.denied) == 0 && len(c.write.denied) == 0 {
		return Decision{}, false
	}
	home := c.cfg.Home
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	seen := map[string]bool{}
	vars := lineVars(a.Commands)
	// Relative paths are tried against the working directory and every
	// directory the line changes to (cd ~ && cat .ssh/id_rsa).
	bases := []string{c.cwd}
	for i := range a.Commands {
		cmd := &a.Commands[i]
		if cmd.Via == shell.ViaMaybe {
			continue
		}
		if (cmd.Name == "cd" || cmd.Name == "pushd") && !cmd.DynamicArgs {
			dir := home
			if len(cmd.Args) > 1 {
				dir = homePath(cmd.Args[len(cmd.Args)-1], home)
			}
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(bases[len(bases)-1], dir)
			}
			bases = append(bases, dir)
		}
		if d, denied := c.deniedReach(cmd, home, vars); denied {
			return d, true
		}
		var paths []string
		paths = append(paths, cmd.Writes...)
		paths = append(paths, cmd.Reads...)
		for j, arg := range cmd.Args {
			if j == 0 && !strings.Contains(arg, "/") {
				continue
			}
			paths = append(paths, argPaths(arg)...)
		}
		for _, p := range paths {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			p = homePath(p, home)
			if strings.ContainsAny(p, "$`") {
				continue
			}
			for _, base := range bases {
				if filepath.IsAbs(p) && base != c.cwd {
					break
				}
				if d, denied := c.deniedPath(p, base); denied {
					return d, true
				}
				if d, denied := c.deniedGlob(p, base); denied {
					return d, true
				}
			}
		}
	}
	return Decision{}, false
}

// deniedPath checks one path, relative ones taken against base.
func (c *Checker) deniedPath(p, base string) (Decision, bool) {
	forms := requestForms(p, base)
	for _, fs := range c.deniedSets() {
		if m := fs.set.match(forms...); len(m) > 0 {
			return deny(LayerAgent, `toolsSettings.`+fs.tool+`.deniedPaths "`+m[0]+`"`,
				append(m, "execute_bash names "+p)...), true
		}
	}
	return Decision{}, false
}

// deniedSet is one tool's deniedPaths, which shell commands obey too.
type deniedSet struct {
	tool string
	set  pathSet
}

// deniedSets are fs_read's and fs_write's deniedPaths.
func (c *Checker) deniedSets() []deniedSet {
	return []deniedSet{{"fs_read", c.read.denied}, {"fs_write", c.write.denied}}
}

// maxGlobMatches bounds the files one glob argument is checked as.
const maxGlobMatches = 256

// deniedGlob checks the files a glob argument names now, as bash will
// expand it ("cat ~/.ss*/id_rsa").
func (c *Checker) deniedGlob(p, base string) (Decision, bool) {
	if !strings.ContainsAny(p, "*?[") {
		return Decision{}, false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	matches, _ := filepath.Glob(p)
	for i, m := range matches {
		if i == maxGlobMatches {
			break
		}
		if d, denied := c.deniedPath(m, base); denied {
			return d, true
		}
	}
	return Decision{}, false
}

// argPaths returns what a literal argument may name as a path: the word
// itself unless it is an option, and the value after '=' ("--file=x",
// "of=x", "-ox" is not split: the option letters are unknown here).
func argPaths(arg string) []string {
	if len(arg) > 1 && arg[0] == '"' && arg[len(arg)-1] == '"' {
		arg = arg[1 : len(arg)-1] // the source of "$HOME/x"
	}
	var out []string
	if !strings.HasPrefix(arg, "-") {
		out = append(out, arg)
	}
	if _, v, ok := strings.Cut(arg, "="); ok && v != "" {
		out = append(out, v)
	}
	return out
}

// homePath expands what names the home directory at the start of a path:
// "~", "$HOME", "${HOME}".
func homePath(p, home string) string {
	for _, prefix := range []string{"~", "$HOME", "${HOME}"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok && (rest == "" || rest[0] == '/') {
			return filepath.Join(home, rest)
		}
	}
	return p
}
