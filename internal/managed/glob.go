package managed

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Managed patterns are deny and allow lists written by an administrator, so
// their syntax is deliberately small and the same everywhere in the file:
//
//   - '*' matches any run of characters, '/' and spaces included, so
//     "rm -rf *" matches "rm -rf /home/u" and "@github/*" every GitHub tool;
//   - '?' matches exactly one character;
//   - [abc], [a-z], [!a] and [^a] are character classes;
//   - a backslash makes the next character literal ("\*" is a star).
//
// A malformed class ("[a") is taken literally rather than rejected or
// dropped: a deny rule must never silently disappear.

// globCache holds compiled patterns: the same few are matched on every tool
// call.
var globCache sync.Map // string -> *regexp.Regexp

// globMatch reports whether text matches the whole of pattern.
func globMatch(pattern, text string) bool {
	if !strings.ContainsAny(pattern, `*?[\`) {
		return pattern == text
	}
	if re, ok := globCache.Load(pattern); ok {
		return re.(*regexp.Regexp).MatchString(text)
	}
	re := compileGlob(pattern)
	globCache.Store(pattern, re)
	return re.MatchString(text)
}

// compileGlob translates pattern into an anchored regexp.
func compileGlob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\\':
			if i+1 < len(rs) {
				i++
			}
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '*':
			for i+1 < len(rs) && rs[i+1] == '*' {
				i++
			}
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			class, next, ok := globClass(rs, i)
			if !ok {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(class)
			i = next - 1
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		// Unreachable: every construct above is valid. A literal match
		// keeps the rule rather than losing it.
		return regexp.MustCompile(`\A` + regexp.QuoteMeta(pattern) + `\z`)
	}
	return re
}

// globClass translates the class opening at rs[start] == '['. It returns
// the regexp class, the index after the closing ']' and whether the class
// is well formed.
func globClass(rs []rune, start int) (string, int, bool) {
	i := start + 1
	var b strings.Builder
	b.WriteByte('[')
	if i < len(rs) && (rs[i] == '!' || rs[i] == '^') {
		b.WriteByte('^')
		i++
	}
	first := i
	for ; i < len(rs); i++ {
		c := rs[i]
		if c == ']' && i > first {
			b.WriteByte(']')
			return b.String(), i + 1, true
		}
		if i+2 < len(rs) && rs[i+1] == '-' && rs[i+2] != ']' {
			if c > rs[i+2] {
				return "", 0, false
			}
			b.WriteString(classRune(c) + "-" + classRune(rs[i+2]))
			i += 2
			continue
		}
		b.WriteString(classRune(c))
	}
	return "", 0, false
}

func classRune(r rune) string {
	if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
		return string(r)
	}
	return fmt.Sprintf(`\x{%x}`, r)
}
