package managed

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/glob"
	"github.com/qdev/qdev/internal/toolname"
)

// BlockedPrefix starts every message about a decision this layer took.
const BlockedPrefix = "blocked by organisation policy: "

// Blocked returns the message for a decision taken because of rule, as
// returned by the matching methods: "blocked by organisation policy: RULE".
func Blocked(rule string) string { return BlockedPrefix + rule }

// PolicyError is a refusal by the managed layer; Rule names the key and
// pattern that decided.
type PolicyError struct{ Rule string }

func (e *PolicyError) Error() string { return Blocked(e.Rule) }

// DenyTool reports whether deniedTools forbids the tool name of server
// (server "" or "builtin" for built-in tools), and the rule that does, e.g.
// `deniedTools "@github/push_*"`. Patterns without '@' and
// "@builtin/<pattern>" match built-in tool names; "@builtin" every built-in
// tool; "@server" every tool of that server; "@server/<pattern>" that
// server's tools by their own (not aliased) names. Globs work in every part.
func (s *Settings) DenyTool(name, server string) (rule string, denied bool) {
	if s == nil {
		return "", false
	}
	if p, ok := matchTool(s.DeniedTools, name, server); ok {
		return fmt.Sprintf("deniedTools %q", p), true
	}
	return "", false
}

// RequiresApproval reports whether requireApproval makes the tool always
// ask the user, with the patterns of DenyTool.
func (s *Settings) RequiresApproval(name, server string) bool {
	if s == nil {
		return false
	}
	_, ok := matchTool(s.RequireApproval, name, server)
	return ok
}

// ApprovalRule is RequiresApproval returning the rule that applies, e.g.
// `requireApproval "execute_bash"`, for the prompt to show.
func (s *Settings) ApprovalRule(name, server string) (rule string, required bool) {
	if s == nil {
		return "", false
	}
	if p, ok := matchTool(s.RequireApproval, name, server); ok {
		return fmt.Sprintf("requireApproval %q", p), true
	}
	return "", false
}

// matchTool returns the first pattern naming the tool. A pattern naming a
// built-in tool by another of its names ("shell", "gh_issue") names it.
func matchTool(patterns []string, name, server string) (string, bool) {
	builtin := server == "" || server == "builtin"
	for _, orig := range patterns {
		p := toolname.Pattern(orig)
		switch {
		case builtin && (p == "@builtin" || p == "@builtin/"):
			return orig, true
		case builtin && strings.HasPrefix(p, "@builtin/"):
			if globMatch(strings.TrimPrefix(p, "@builtin/"), name) {
				return orig, true
			}
		case builtin && !strings.HasPrefix(p, "@"):
			if globMatch(p, name) {
				return orig, true
			}
		case !builtin && strings.HasPrefix(p, "@"):
			if globMatch(p, "@"+server) || globMatch(p, "@"+server+"/"+name) {
				return orig, true
			}
		}
	}
	return "", false
}

// DenyCommand reports whether deniedCommands forbids one simple command,
// and the rule that does, e.g. `deniedCommands "rm -rf *"`. Callers pass
// each form of each command of a line's shell analysis (shell.Command's
// Forms: the canonical words as the program sees them, the name without
// its directory, the source text), so quoting and wrappers cannot
// separate what is written from what runs. Patterns are globs over the whole text; a
// pattern ending in " *" also matches the command without arguments
// ("terraform apply *" matches "terraform apply"). The text is also tried
// with blanks collapsed, without leading VAR=value assignments, and with
// the command name stripped of a directory and of a leading backslash
// ("/bin/rm", "\rm"), so those spellings cannot slip past a rule.
func (s *Settings) DenyCommand(simpleCommandText string) (rule string, denied bool) {
	if s == nil || len(s.DeniedCommands) == 0 {
		return "", false
	}
	for _, c := range commandForms(simpleCommandText) {
		for _, p := range s.DeniedCommands {
			if globMatch(p, c) || strings.HasSuffix(p, " *") && globMatch(strings.TrimSuffix(p, " *"), c) {
				return fmt.Sprintf("deniedCommands %q", p), true
			}
		}
	}
	return "", false
}

// commandForms returns the spellings of a simple command that
// deniedCommands patterns are matched against.
func commandForms(text string) []string {
	forms := []string{strings.TrimSpace(text)}
	words := strings.Fields(text)
	forms = append(forms, strings.Join(words, " "))
	for len(words) > 1 && isAssignment(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 {
		return forms
	}
	forms = append(forms, strings.Join(words, " "))
	name := strings.TrimLeft(words[0], `\`)
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 {
		name = path.Base(name)
	}
	if name != words[0] {
		forms = append(forms, strings.Join(append([]string{name}, words[1:]...), " "))
	}
	return forms
}

// isAssignment reports whether word looks like a shell VAR=value prefix.
func isAssignment(word string) bool {
	name, _, ok := strings.Cut(word, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if r != '_' && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// ModelAllowed reports whether the model reference ("provider/model-id",
// as used by --model and chat.defaultModel, after expanding Q CLI aliases)
// may be used. When allowedModels is absent every model is allowed and rule
// is empty; otherwise rule is the matching pattern or, when refused, a
// description such as `allowedModels ["bedrock/*"] does not include "x"`.
func (s *Settings) ModelAllowed(ref string) (allowed bool, rule string) {
	if s == nil || s.AllowedModels == nil {
		return true, ""
	}
	for _, list := range append([][]string{s.AllowedModels}, s.moreModels...) {
		rule = ""
		for _, p := range list {
			if globMatch(p, ref) {
				rule = fmt.Sprintf("allowedModels %q", p)
				break
			}
		}
		if rule == "" {
			return false, fmt.Sprintf("allowedModels %s does not include %q", quoteList(list), ref)
		}
	}
	return true, rule
}

// MCPServerAllowed reports whether an MCP server may start: name is its
// configured name, command the resolved program of a stdio server (the
// absolute path, symbolic links resolved, that will run: see
// mcp.ResolveCommand), url the endpoint of an HTTP server. When
// allowedMcpServers is absent every server is allowed and rule is empty.
// An entry matches when its name pattern matches and its command or url
// pattern, if any, matches the server's (a stdio server never matches an
// entry with a url, and the reverse); see commandMatches for command
// patterns. Arguments are not checked. When several files set
// allowedMcpServers, each must have a matching entry.
func (s *Settings) MCPServerAllowed(name, command, url string) (allowed bool, rule string) {
	if s == nil || s.AllowedMCPServers == nil {
		return true, ""
	}
	for _, list := range append([][]MCPServer{s.AllowedMCPServers}, s.moreMCP...) {
		i := slices.IndexFunc(list, func(e MCPServer) bool { return e.matches(name, command, url) })
		if i < 0 {
			what := fmt.Sprintf("%q", name)
			switch {
			case command != "":
				what += fmt.Sprintf(" (command %q)", command)
			case url != "":
				what += fmt.Sprintf(" (url %q)", url)
			}
			return false, "allowedMcpServers has no entry for MCP server " + what
		}
		rule = fmt.Sprintf("allowedMcpServers[%d]", i)
	}
	return true, rule
}

// matches reports whether the entry allows the server.
func (e MCPServer) matches(name, command, url string) bool {
	switch {
	case !globMatch(e.Name, name):
		return false
	case e.Command != "" && !commandMatches(e.Command, command):
		return false
	case e.URL != "" && (url == "" || !globMatch(e.URL, url)):
		return false
	}
	return true
}

// TrustAllAllowed reports whether trusting every tool at once is allowed,
// and otherwise the rule that forbids it.
func (s *Settings) TrustAllAllowed() (allowed bool, rule string) {
	if s != nil && s.DisableTrustAll {
		return false, "disableTrustAll"
	}
	return true, ""
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// globMatch matches text against a managed pattern, written in the small
// glob.Plain syntax wherever the file has patterns.
func globMatch(pattern, text string) bool { return glob.Match(pattern, text, glob.Plain) }
