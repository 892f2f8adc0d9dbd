// Package glob turns the wildcard patterns of agent files, hook matchers
// and managed settings into anchored regular expressions.
package glob

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Syntax is the dialect a pattern is written in.
type Syntax uint8

const (
	// Globset is the dialect of the Rust globset crate in its default
	// configuration, which the Q CLI uses for allowedTools entries,
	// allowed and denied paths and hook matchers, so that the same pattern
	// means the same thing here:
	//
	//   - '*' and '?' also match '/' (globset's literal_separator is off),
	//     so "/home/u/*.pem" matches "/home/u/keys/a.pem";
	//   - "**/" at the start, "/**/" in the middle and "/**" at the end
	//     match any number of directories, "/**" requiring at least the '/';
	//   - [abc], [a-z], [!a] and [^a] are character classes, {a,b}
	//     alternatives;
	//   - a backslash makes the next character literal.
	//
	// globset rejects some patterns (an unclosed '[' or '{', a reversed
	// range, '**' glued to other characters) and the Q CLI then ignores
	// them with a log line. Here such characters are taken literally and
	// '**' anywhere means '*': no configured pattern silently disappears,
	// which matters most for deny lists.
	Globset Syntax = iota
	// Plain is the deliberately small dialect of managed settings, written
	// by an administrator and the same everywhere in the file: '*' (or
	// '**') matches any run of characters, '/' and spaces included, '?'
	// exactly one, [abc], [a-z], [!a] and [^a] are classes and a backslash
	// makes the next character literal; '{' and '}' are literal. A
	// malformed class is taken literally, as in Globset.
	Plain
)

// IsPattern reports whether pattern uses any of the syntax's special
// characters, rather than standing for itself alone.
func IsPattern(pattern string, syntax Syntax) bool {
	special := `*?[{\`
	if syntax == Plain {
		special = `*?[\`
	}
	return strings.ContainsAny(pattern, special)
}

// Compile returns a regular expression matching exactly the strings
// pattern matches, in full.
func Compile(pattern string, syntax Syntax) *regexp.Regexp {
	re, err := regexp.Compile(`(?s)\A` + body([]rune(pattern), syntax) + `\z`)
	if err != nil {
		// Unreachable: body only emits escaped literals and valid
		// constructs. A literal match keeps the pattern rather than
		// losing it.
		return regexp.MustCompile(`(?s)\A` + regexp.QuoteMeta(pattern) + `\z`)
	}
	return re
}

// cache holds patterns compiled by Match: the same few are judged on
// every tool call.
var cache sync.Map // cacheKey -> *regexp.Regexp

type cacheKey struct {
	pattern string
	syntax  Syntax
}

// Match reports whether text matches the whole of pattern. Compiled
// patterns are kept for the life of the process.
func Match(pattern, text string, syntax Syntax) bool {
	if !IsPattern(pattern, syntax) {
		return pattern == text
	}
	key := cacheKey{pattern, syntax}
	if re, ok := cache.Load(key); ok {
		return re.(*regexp.Regexp).MatchString(text)
	}
	re := Compile(pattern, syntax)
	cache.Store(key, re)
	return re.MatchString(text)
}

// Escape makes every character of s literal in a pattern of either
// syntax.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func body(rs []rune, syntax Syntax) string {
	var b strings.Builder
	n := len(rs)
	for i := 0; i < n; {
		switch r := rs[i]; {
		case r == '\\':
			if i+1 < n {
				b.WriteString(quote(rs[i+1]))
				i += 2
				continue
			}
			b.WriteString(quote(r))
			i++
		case r == '*':
			j := i
			for j < n && rs[j] == '*' {
				j++
			}
			afterSep := i == 0 || rs[i-1] == '/'
			if syntax == Globset && j-i >= 2 && afterSep && j < n && rs[j] == '/' {
				// "**/": zero or more leading directories.
				b.WriteString(`(?:.*/)?`)
				i = j + 1
				continue
			}
			b.WriteString(`.*`)
			i = j
		case r == '?':
			b.WriteString(`.`)
			i++
		case r == '[':
			class, next, ok := charClass(rs, i)
			if !ok {
				b.WriteString(quote(r))
				i++
				continue
			}
			b.WriteString(class)
			i = next
		case r == '{' && syntax == Globset:
			alts, end := braceGroup(rs, i)
			if end < 0 {
				b.WriteString(quote(r))
				i++
				continue
			}
			parts := make([]string, len(alts))
			for k, a := range alts {
				parts[k] = body(a, syntax)
			}
			b.WriteString(`(?:` + strings.Join(parts, `|`) + `)`)
			i = end + 1
		default:
			b.WriteString(quote(r))
			i++
		}
	}
	return b.String()
}

// charClass translates the class opening at rs[start] == '['. It returns
// the regexp class, the index after the closing ']' and whether the class
// is well formed; a ']' right after the opening (or its '!' or '^') is a
// member, and a reversed range makes the class malformed.
func charClass(rs []rune, start int) (string, int, bool) {
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

// braceGroup splits the group opening at rs[start] == '{' into its
// alternatives (on its top-level commas, honouring nesting and backslash
// escapes) and returns the index of its closing '}', or -1 when it is not
// closed.
func braceGroup(rs []rune, start int) ([][]rune, int) {
	var alts [][]rune
	depth, last := 0, start+1
	for i := start; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return append(alts, rs[last:i]), i
			}
		case ',':
			if depth == 1 {
				alts = append(alts, rs[last:i])
				last = i + 1
			}
		}
	}
	return nil, -1
}

func quote(r rune) string { return regexp.QuoteMeta(string(r)) }

// classRune writes r for use inside a regexp class, where '-', ']', '^'
// and '\' would otherwise mean something.
func classRune(r rune) string { return fmt.Sprintf(`\x{%x}`, r) }
