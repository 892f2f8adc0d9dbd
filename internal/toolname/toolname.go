// Package toolname maps the names agent files use for built-in tools to the
// one name qdev's tools and permission layers know them by. Agent files
// written for the Q CLI may use its internal keys (gh_issue for the tool
// the model calls report_issue); files written for the Kiro CLI use its
// short aliases (read, write, shell, aws, …). Every layer judges the
// canonical name, so a rule written with any of these names applies.
package toolname

import (
	"slices"
	"strings"
)

// aliases maps each other spelling to the canonical (model-facing) name.
var aliases = map[string]string{
	// The Q CLI's tool_index.json key of report_issue.
	"gh_issue": "report_issue",
	// The Kiro CLI's names of the Q CLI's tools.
	"read":   "fs_read",
	"write":  "fs_write",
	"shell":  "execute_bash",
	"aws":    "use_aws",
	"report": "report_issue",
	// The Kiro CLI's agent files name the subagent tool "subagent".
	"subagent": "use_subagent",
	// The Q CLI's name of execute_bash on Windows: one tool, so a rule
	// written for either (a managed deniedTools, an agent's deniedCommands)
	// applies to the shell tool.
	"execute_cmd": "execute_bash",
}

// known are the canonical names of the built-in tools of the Q and Kiro
// CLIs, whether or not this build offers them: a name here is not a typo.
var known = []string{
	"code", "delegate", "execute_bash", "fs_read", "fs_write", "glob", "grep", "introspect",
	"knowledge", "report_issue", "thinking", "todo_list", "use_aws", "use_subagent", "web_fetch", "web_search",
}

// Canonical returns the canonical name of a built-in tool written as name,
// or name itself when it is not an alias. Only a whole name is mapped;
// globs are left as written.
func Canonical(name string) string {
	if c, ok := aliases[name]; ok {
		return c
	}
	return name
}

// Pattern canonicalises a tool reference as agent files write it in tools,
// allowedTools and hook matchers: a bare name or "@builtin/<name>". MCP
// references ("@server", "@server/tool") and globs are left as written.
func Pattern(p string) string {
	if rest, ok := strings.CutPrefix(p, "@builtin/"); ok {
		return "@builtin/" + Canonical(rest)
	}
	if strings.HasPrefix(p, "@") {
		return p
	}
	return Canonical(p)
}

// Known reports whether name, canonical or an alias, names a built-in
// tool of the Q or Kiro CLI.
func Known(name string) bool {
	_, ok := slices.BinarySearch(known, Canonical(name))
	return ok
}

// Names returns the canonical names and the aliases, sorted, for
// suggestions when a name is misspelt.
func Names() []string {
	out := slices.Clone(known)
	for a := range aliases {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// AliasesOf returns the other spellings of canonical, sorted.
func AliasesOf(canonical string) []string {
	var out []string
	for a, c := range aliases {
		if c == canonical {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}
