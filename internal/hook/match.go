package hook

import (
	"strings"

	"github.com/qdev/qdev/internal/glob"
)

// Matches reports whether a preToolUse/postToolUse hook with matcher runs
// for toolName, which is a built-in tool's name or "@server/tool" for an
// MCP tool, by the Q CLI's rules (hook_matches_tool): no matcher or "*"
// match everything, "@builtin" every non-MCP tool, "@server" every tool of
// that server; anything else is compared exactly or, when it has '*' or
// '?', as a glob.Globset pattern (in which '*' also crosses '/').
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
	return strings.ContainsAny(matcher, "*?") && glob.Match(matcher, toolName, glob.Globset)
}
