package hook

import (
	"regexp"
	"strings"
	"sync"
)

// Matches reports whether a preToolUse/postToolUse hook with matcher runs
// for toolName, which is a built-in tool's name or "@server/tool" for an
// MCP tool, by the Q CLI's rules (hook_matches_tool): no matcher or "*"
// match everything, "@builtin" every non-MCP tool, "@server" every tool of
// that server; anything else is compared exactly or, when it has '*' or
// '?', as a glob in which '*' also crosses '/' (globset's default).
func Matches(matcher, toolName string) bool {
	switch matcher {
	case "", "*":
		return true
	case "@builtin":
		return !strings.HasPrefix(toolName, "@")
	}
	if rest, ok := strings.CutPrefix(toolName, "@"); ok {
		server, _, _ := strings.Cut(rest, "/")
		if matcher == "@"+server {
			return true
		}
	}
	if matcher == toolName {
		return true
	}
	return strings.ContainsAny(matcher, "*?") && globRegexp(matcher).MatchString(toolName)
}

var globs sync.Map // pattern -> *regexp.Regexp

// globRegexp compiles a glob with '*', '?', [classes] and {a,b}
// alternatives; other characters, and a backslash-escaped one, are
// literal. A malformed class or group is taken literally.
func globRegexp(pat string) *regexp.Regexp {
	if re, ok := globs.Load(pat); ok {
		return re.(*regexp.Regexp)
	}
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	depth := 0
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			i++
			b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		case c == '*':
			b.WriteString(`.*`)
		case c == '?':
			b.WriteString(`.`)
		case c == '[':
			end := strings.IndexByte(pat[i+1:], ']')
			if end <= 0 {
				b.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : i+1+end]
			if class[0] == '!' {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		case c == '{':
			depth++
			b.WriteString(`(?:`)
		case c == '}' && depth > 0:
			depth--
			b.WriteString(`)`)
		case c == ',' && depth > 0:
			b.WriteString(`|`)
		default:
			b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil || depth > 0 {
		re = regexp.MustCompile(`\A` + regexp.QuoteMeta(pat) + `\z`)
	}
	globs.Store(pat, re)
	return re
}
