package permission

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/qdev/qdev/internal/glob"
)

// pathRule is one allowedPaths/deniedPaths entry, compiled. Like the
// original, each entry p becomes two globs, "p" and "p/**", so it covers a
// file, a directory and everything below it.
type pathRule struct {
	orig string // as written in the settings, reported in decisions
	res  []*regexp.Regexp
	// paths are the rule's absolute path patterns (as written, expanded,
	// and canonicalised), for judging what a regex on one literal path
	// cannot: shell globs and directories above the rule.
	paths []string
}

// pathSet is a list of compiled path rules.
type pathSet []pathRule

// match returns the original text of every rule matching any of forms.
func (ps pathSet) match(forms ...string) []string {
	var out []string
	for _, r := range ps {
		if r.matches(forms) {
			out = append(out, r.orig)
		}
	}
	return out
}

func (r pathRule) matches(forms []string) bool {
	for _, re := range r.res {
		for _, f := range forms {
			if re.MatchString(f) {
				return true
			}
		}
	}
	return false
}

// literalRule is a rule matching dir and everything below it, taken
// literally (used for the working directory, whose name may contain glob
// characters).
func literalRule(orig, dir string) pathRule {
	return globRule(orig, glob.Escape(dir))
}

func globRule(orig, pattern string) pathRule {
	return pathRule{orig: orig, res: []*regexp.Regexp{
		glob.Compile(pattern, glob.Globset),
		glob.Compile(strings.TrimRight(pattern, "/")+"/**", glob.Globset),
	}}
}

// pathEnv is what path expansion needs to know.
type pathEnv struct {
	cwd, home string
	lookup    func(string) (string, bool)
}

// compileRule turns a settings path into a rule. The path is expanded (~,
// $VAR), made absolute against the working directory and canonicalised up to
// its first glob component. With lexicalToo (deny lists), the
// non-canonicalised form is matched as well, so a rule still applies when a
// symlink hides the path from one of the two forms.
func (pe pathEnv) compileRule(orig string, lexicalToo bool) (pathRule, error) {
	expanded, err := expandPath(orig, pe.home, pe.lookup)
	if err != nil {
		return pathRule{}, err
	}
	if expanded == "" {
		return pathRule{}, fmt.Errorf("empty path")
	}
	if !filepath.IsAbs(expanded) {
		expanded = filepath.Join(pe.cwd, expanded)
	}
	comps := components(expanded)
	k := 0
	for k < len(comps) && !strings.ContainsAny(comps[k], `*?[{\`) {
		k++
	}
	prefix := "/" + strings.Join(comps[:k], "/")
	rest := ""
	if k < len(comps) {
		rest = "/" + strings.Join(comps[k:], "/")
	}
	canon := strings.TrimSuffix(canonical(prefix), "/")
	rule := globRule(orig, glob.Escape(canon)+rest)
	rule.paths = []string{canon + rest}
	if lexical := strings.TrimSuffix(filepath.Clean(prefix), "/"); lexicalToo && lexical != canon {
		rule.res = append(rule.res, globRule(orig, glob.Escape(lexical)+rest).res...)
		rule.paths = append(rule.paths, lexical+rest)
	}
	return rule, nil
}

// components splits an absolute path into its names, dropping empty and "."
// elements but keeping "..", which only symlink resolution can interpret.
func components(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// canonical resolves the symlinks of absolute path p as far as it exists and
// cleans the rest lexically, so a path under a symlinked directory is judged
// where it really is even when the file does not exist yet (the original only
// canonicalises paths that exist).
//
// A symbolic link that leads nowhere yet is followed too: a write through
// it ("echo x > link") creates its target, so the target is what is judged.
func canonical(p string) string { return canonicalHops(p, 0) }

func canonicalHops(p string, hops int) string {
	comps := components(p)
	for i := len(comps); i >= 0; i-- {
		resolved, err := filepath.EvalSymlinks("/" + strings.Join(comps[:i], "/"))
		if err != nil {
			continue
		}
		if i < len(comps) && hops < 40 {
			next := filepath.Join(resolved, comps[i])
			if fi, err := os.Lstat(next); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				if target, err := os.Readlink(next); err == nil {
					if !filepath.IsAbs(target) {
						target = filepath.Join(resolved, target)
					}
					return canonicalHops(filepath.Join(append([]string{target}, comps[i+1:]...)...), hops+1)
				}
			}
		}
		return filepath.Join(append([]string{resolved}, comps[i:]...)...)
	}
	return filepath.Clean("/" + p)
}

// requestForms returns the forms of a path a tool call touches: canonical
// first, then the lexically cleaned one if different. Relative paths are
// taken against cwd.
func requestForms(p, cwd string) []string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	canon := canonical(p)
	if lexical := filepath.Clean(p); lexical != canon {
		return []string{canon, lexical}
	}
	return []string{canon}
}

// expandPath expands a leading "~" or "~/" to home and $NAME or ${NAME} to
// the variable's value, as the original's shellexpand::full does. An unset
// variable is an error, as there.
func expandPath(s, home string, lookup func(string) (string, bool)) (string, error) {
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home == "" {
			return "", fmt.Errorf("~ used but the home directory is unknown")
		}
		s = home + s[1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		name, next := "", i+1
		if i+1 < len(s) && s[i+1] == '{' {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 {
				name, next = s[i+2:i+2+end], i+3+end
			}
		} else {
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			name, next = s[i+1:j], j
		}
		if name == "" {
			b.WriteByte('$')
			continue
		}
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("$%s is not set", name)
		}
		b.WriteString(v)
		i = next - 1
	}
	return b.String(), nil
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
