package knowledge

import (
	"bytes"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// maxPatternBytes is the longest .gitignore pattern used.
const maxPatternBytes = 4096

// ignoreRule is one pattern line of a .gitignore file.
type ignoreRule struct {
	// base is the folder of the file the rule comes from, relative to the
	// anchor the walk measures paths from ("" for the anchor itself).
	base    string
	pattern string // a doublestar pattern
	// anchored rules match the path below base; the others match the last
	// name of a path at any depth.
	anchored bool
	negate   bool
	dirOnly  bool
	// insideOnly is set for "dir/**": it matches what is inside dir,
	// not dir itself, as in git.
	insideOnly string
}

// parseIgnore reads the rules of a .gitignore file in folder base. Lines
// that are blank, comments, or patterns git would not understand are
// skipped, as git skips them.
func parseIgnore(data []byte, base string) []ignoreRule {
	var rules []ignoreRule
	for _, line := range bytes.Split(data, []byte("\n")) {
		if r, ok := parseIgnoreLine(string(bytes.TrimSuffix(line, []byte("\r"))), base); ok {
			rules = append(rules, r)
		}
	}
	return rules
}

func parseIgnoreLine(line, base string) (ignoreRule, bool) {
	line = trimTrailingSpaces(line)
	// A repository's files are not trusted: a pattern longer than any path
	// could only make matching slow.
	if line == "" || line[0] == '#' || len(line) > maxPatternBytes {
		return ignoreRule{}, false
	}
	r := ignoreRule{base: base}
	switch {
	case line[0] == '!':
		r.negate = true
		line = line[1:]
	case strings.HasPrefix(line, `\!`), strings.HasPrefix(line, `\#`):
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") && !strings.HasSuffix(line, `\/`) {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return ignoreRule{}, false
	}
	// A slash at the start or in the middle anchors the pattern to the
	// folder of its .gitignore.
	if strings.Contains(line, "/") {
		r.anchored = true
		line = strings.TrimPrefix(line, "/")
	}
	r.pattern = escapeBraces(line)
	if !doublestar.ValidatePattern(r.pattern) {
		return ignoreRule{}, false
	}
	if p, ok := strings.CutSuffix(r.pattern, "/**"); ok {
		r.insideOnly = p
	}
	return r, true
}

// trimTrailingSpaces drops trailing spaces unless a backslash escapes them.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

// escapeBraces makes { and } literal: git's patterns have no alternatives,
// doublestar's do.
func escapeBraces(p string) string {
	if !strings.ContainsAny(p, "{}") {
		return p
	}
	var b strings.Builder
	escaped := false
	for _, r := range p {
		if !escaped && (r == '{' || r == '}') {
			b.WriteByte('\\')
		}
		escaped = !escaped && r == '\\'
		b.WriteRune(r)
	}
	return b.String()
}

// matches reports whether r matches p, a path relative to the anchor.
func (r ignoreRule) matches(p string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	sub := p
	if r.base != "" {
		rest, ok := strings.CutPrefix(p, r.base+"/")
		if !ok {
			return false
		}
		sub = rest
	}
	if !r.anchored {
		ok, _ := doublestar.Match(r.pattern, path.Base(sub))
		return ok
	}
	if r.insideOnly != "" {
		if self, _ := doublestar.Match(r.insideOnly, sub); self {
			return false
		}
	}
	ok, _ := doublestar.Match(r.pattern, sub)
	return ok
}

// ignoreList holds the rules in force in a folder, from the anchor's
// .gitignore down to the folder's own: a later rule overrides an earlier.
type ignoreList []ignoreRule

// ignored reports whether p (relative to the anchor) is ignored: the last
// rule that matches decides.
func (l ignoreList) ignored(p string, isDir bool) bool {
	for i := len(l) - 1; i >= 0; i-- {
		if l[i].matches(p, isDir) {
			return !l[i].negate
		}
	}
	return false
}
