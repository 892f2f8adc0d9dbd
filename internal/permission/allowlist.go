package permission

import (
	"strings"

	"github.com/qdev/qdev/internal/glob"
)

// origin says where a trusted-tools entry came from, for Decision.Rule.
type origin int

const (
	fromConfig  origin = iota // the agent's allowedTools
	fromFlag                  // --trust-tools
	fromSession               // /tools trust, or "t" at an approval prompt
)

// entry is one allowedTools pattern in effect for the session.
type entry struct {
	pattern string
	from    origin
}

// layer is the Decision layer of a trust that this entry grants.
func (e entry) layer() Layer {
	switch e.from {
	case fromFlag:
		return LayerFlag
	case fromSession:
		return LayerSession
	}
	return LayerAgent
}

func (e entry) rule() string {
	switch e.from {
	case fromFlag:
		return "trusted by --trust-tools " + e.pattern
	case fromSession:
		return "trusted for this session"
	}
	return `allowedTools "` + e.pattern + `"`
}

// matchPattern is the original's matches_any_pattern for one pattern: exact
// equality, or a glob match when the pattern contains '*' or '?'.
func matchPattern(pattern, text string) bool {
	if pattern == text {
		return true
	}
	return isGlob(pattern) && glob.Match(pattern, text, glob.Globset)
}

// isGlob reports whether the original treats an allowedTools entry as a
// glob: only when it contains '*' or '?'.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?") }

// matchBuiltin reports which entry, if any, trusts the built-in tool name,
// with the original's rules: "@builtin", "@builtin/" and "@builtin/*" trust
// every built-in tool; entries not starting with '@' and the part after
// "@builtin/" are patterns for the name. MCP entries ("@server…") never
// trust a built-in tool.
func matchBuiltin(entries []entry, name string) (entry, bool) {
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.pattern, "@builtin"); ok && (rest == "" || rest == "/" || rest == "/*") {
			return e, true
		}
	}
	for _, e := range entries {
		p := e.pattern
		if strings.HasPrefix(p, "@") {
			var ok bool
			if p, ok = strings.CutPrefix(p, "@builtin/"); !ok {
				continue
			}
		}
		if matchPattern(p, name) {
			return e, true
		}
	}
	return entry{}, false
}

// matchMCP reports which entry, if any, trusts tool (the server's own name for
// it, not the name shown to the model) of server: only entries starting with
// '@' count, matched against "@server" and then "@server/tool".
func matchMCP(entries []entry, server, tool string) (entry, bool) {
	whole := "@" + server
	one := whole + "/" + tool
	for _, target := range []string{whole, one} {
		for _, e := range entries {
			if strings.HasPrefix(e.pattern, "@") && matchPattern(e.pattern, target) {
				return e, true
			}
		}
	}
	return entry{}, false
}
