package permission

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// The original matches allowedTools entries and allowed/denied paths with the
// Rust globset crate in its default configuration, so the same pattern must
// mean the same thing here:
//
//   - '*' and '?' also match '/' (globset's literal_separator is off), so
//     "/home/u/*.pem" matches "/home/u/keys/a.pem";
//   - "**/" at the start, "/**/" in the middle and "/**" at the end match any
//     number of directories, "/**" requiring at least the '/';
//   - [abc], [a-z], [!a] and [^a] are character classes, {a,b} alternatives;
//   - a backslash makes the next character literal.
//
// globset rejects some patterns (unclosed '[' or '{', '**' glued to other
// characters) and the original then ignores them with a log line. Here such
// characters are taken literally and '**' anywhere means '*': no configured
// pattern silently disappears, which matters most for deny lists.

// globCache holds compiled allowedTools globs: the same few patterns are
// matched on every decision.
var globCache sync.Map // string -> *regexp.Regexp

// cachedGlob is compileGlob through globCache.
func cachedGlob(pat string) *regexp.Regexp {
	if re, ok := globCache.Load(pat); ok {
		return re.(*regexp.Regexp)
	}
	re := compileGlob(pat)
	globCache.Store(pat, re)
	return re
}

// compileGlob returns a regexp matching exactly what pat matches.
func compileGlob(pat string) *regexp.Regexp {
	re, err := regexp.Compile(`(?s)\A` + globBody([]rune(pat)) + `\z`)
	if err != nil {
		// Unreachable: globBody only emits escaped literals and valid
		// constructs. Falling back to a literal match keeps the pattern.
		return regexp.MustCompile(`(?s)\A` + regexp.QuoteMeta(pat) + `\z`)
	}
	return re
}

// isGlob reports whether the original would treat an allowedTools entry as a
// glob (it only does so when the entry contains '*' or '?').
func isGlob(s string) bool { return strings.ContainsAny(s, "*?") }

// escapeGlob makes every character of s literal in a glob.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func globBody(rs []rune) string {
	var b strings.Builder
	n := len(rs)
	for i := 0; i < n; {
		switch r := rs[i]; r {
		case '\\':
			if i+1 < n {
				b.WriteString(quoteRune(rs[i+1]))
				i += 2
				continue
			}
			b.WriteString(quoteRune(r))
			i++
		case '*':
			j := i
			for j < n && rs[j] == '*' {
				j++
			}
			afterSep := i == 0 || rs[i-1] == '/'
			switch {
			case j-i >= 2 && afterSep && j < n && rs[j] == '/':
				// "**/": zero or more leading directories.
				b.WriteString(`(?:.*/)?`)
				i = j + 1
			default:
				b.WriteString(`.*`)
				i = j
			}
		case '?':
			b.WriteString(`.`)
			i++
		case '[':
			class, next, ok := globClass(rs, i)
			if !ok {
				b.WriteString(quoteRune(r))
				i++
				continue
			}
			b.WriteString(class)
			i = next
		case '{':
			end := closingBrace(rs, i)
			if end < 0 {
				b.WriteString(quoteRune(r))
				i++
				continue
			}
			alts := splitAlternatives(rs[i+1 : end])
			parts := make([]string, len(alts))
			for k, a := range alts {
				parts[k] = globBody(a)
			}
			b.WriteString(`(?:` + strings.Join(parts, `|`) + `)`)
			i = end + 1
		default:
			b.WriteString(quoteRune(r))
			i++
		}
	}
	return b.String()
}

// globClass translates the class starting at rs[start] == '['. It returns
// the regexp class, the index after the closing ']' and whether the class
// was well formed.
func globClass(rs []rune, start int) (string, int, bool) {
	i := start + 1
	neg := false
	if i < len(rs) && (rs[i] == '!' || rs[i] == '^') {
		neg = true
		i++
	}
	var items []string
	first := true
	for i < len(rs) {
		c := rs[i]
		if c == ']' && !first {
			if len(items) == 0 {
				return "", 0, false
			}
			prefix := "["
			if neg {
				prefix = "[^"
			}
			return prefix + strings.Join(items, "") + "]", i + 1, true
		}
		first = false
		if i+2 < len(rs) && rs[i+1] == '-' && rs[i+2] != ']' {
			lo, hi := c, rs[i+2]
			if lo <= hi {
				items = append(items, classRune(lo)+"-"+classRune(hi))
			}
			i += 3
			continue
		}
		items = append(items, classRune(c))
		i++
	}
	return "", 0, false
}

// closingBrace returns the index of the '}' closing the '{' at rs[start],
// honouring nesting and backslash escapes, or -1.
func closingBrace(rs []rune, start int) int {
	depth := 0
	for i := start; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitAlternatives splits the inside of {…} on its top-level commas.
func splitAlternatives(rs []rune) [][]rune {
	var out [][]rune
	depth, last := 0, 0
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, rs[last:i])
				last = i + 1
			}
		}
	}
	return append(out, rs[last:])
}

func quoteRune(r rune) string { return regexp.QuoteMeta(string(r)) }

func classRune(r rune) string { return fmt.Sprintf(`\x{%x}`, r) }
