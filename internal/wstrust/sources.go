package wstrust

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/mcp"
)

// hookSpec is a hook's digest input: the trigger and every field of it.
type hookSpec struct {
	Trigger agentcfg.Trigger
	Hook    agentcfg.HookSpec
}

// HookItems returns an item per hook, in trigger order.
func HookItems(hooks map[agentcfg.Trigger][]agentcfg.HookSpec) []Item {
	var out []Item
	for _, trig := range agentcfg.Triggers {
		for _, h := range hooks[trig] {
			label := fmt.Sprintf("%s hook: %s", trig, termwidth.Visible(h.Command))
			if trig.ToolTrigger() && h.Matcher != "" {
				label += fmt.Sprintf(" (for %s)", termwidth.Visible(h.Matcher))
			}
			out = append(out, Item{Label: label, Spec: hookSpec{trig, h}})
		}
	}
	// Hooks under a key that is not a trigger never run, but they are
	// still part of what the file says; a typo fixed later must ask again.
	for trig, hs := range hooks {
		if !trig.Valid() {
			for _, h := range hs {
				out = append(out, Item{Label: fmt.Sprintf("%s hook: %s", termwidth.Visible(string(trig)), termwidth.Visible(h.Command)), Spec: hookSpec{trig, h}})
			}
		}
	}
	return out
}

// ServerItem returns the item of one MCP server: its whole configuration,
// so a change to its command, arguments, environment, URL or headers asks
// again.
func ServerItem(s mcp.ServerConfig) Item {
	spec := s
	spec.Source = ""
	var b strings.Builder
	fmt.Fprintf(&b, "MCP server %s: ", termwidth.Visible(s.Name))
	if s.Type == mcp.TypeHTTP {
		b.WriteString(termwidth.Visible(s.URL))
	} else {
		b.WriteString(quoteArg(s.Command))
		for _, a := range s.Args {
			b.WriteString(" " + quoteArg(a))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		fmt.Fprintf(&b, " [env %s=%s]", termwidth.Visible(k), termwidth.Visible(s.Env[k]))
	}
	if s.Disabled {
		b.WriteString(" (disabled)")
	}
	return Item{Label: b.String(), Spec: spec}
}

// quoteArg shows an argument exactly, quoted when spaces or emptiness would
// blur where it starts and ends.
func quoteArg(a string) string {
	v := termwidth.Visible(a)
	if v == "" || strings.ContainsAny(v, " \t\n'\"") {
		return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
	}
	return v
}

// fromWorkspace reports whether the agent file at path belongs to the
// workspace: every agent file that is not a global agent (the Q or the
// Kiro CLI's) or the built-in one, which has no path, is judged as the
// workspace's.
func fromWorkspace(path, home string) bool {
	return path != "" && !agentcfg.IsGlobal(path, home)
}

// Sources returns what the workspace at cwd would run for agent a with the
// MCP servers collected for it: one source for the agent file when it is
// not a global agent (its hooks, its own servers and its permission
// grants, which let the model run tools unasked) and one for each
// workspace mcp.json (mcp.WorkspaceConfigPaths: .kiro/settings/mcp.json,
// .amazonq/mcp.json). Sources without items are left out. A workspace
// file is judged by where it was found, not where a symlink leads, so a
// .amazonq that links to the global directory is still the workspace's.
func Sources(a *agentcfg.Agent, servers []mcp.ServerConfig, cwd, home string) []Source {
	var out []Source
	if fromWorkspace(a.Path, home) {
		src := Source{File: rel(cwd, a.Path), Origin: "agent", Items: HookItems(a.Hooks)}
		for _, s := range servers {
			if s.Source == "agent" {
				src.Items = append(src.Items, ServerItem(s))
			}
		}
		src.Items = append(src.Items, GrantItems(a)...)
		// Displacing the user's agent of the same name drops that file's
		// deny rules: it takes effect only once trusted, like a grant.
		for _, sh := range a.Shadowed {
			if !fromWorkspace(sh.Path, home) && !sameFile(sh.Path, a.Path) {
				src.Items = append(src.Items, Item{
					Label: "replaces your agent " + termwidth.Visible(a.Name) + " (" + termwidth.Visible(sh.Path) + ") and its deny rules",
					Spec:  map[string]string{"replaces": sh.Path},
				})
			}
		}
		if len(src.Items) > 0 {
			out = append(out, src)
		}
	}
	return append(out, mcpSources(servers, cwd, mcp.WorkspaceConfigPaths(cwd, home)...)...)
}

// mcpSources returns a source per workspace mcp.json file among files
// that configures servers.
func mcpSources(servers []mcp.ServerConfig, cwd string, files ...string) []Source {
	var out []Source
	for _, ws := range files {
		src := Source{File: rel(cwd, ws), Origin: ws}
		for _, s := range servers {
			if s.Source == ws {
				src.Items = append(src.Items, ServerItem(s))
			}
		}
		if len(src.Items) > 0 {
			out = append(out, src)
		}
	}
	return out
}

// rel names path relative to the workspace when it is inside it.
func rel(cwd, path string) string {
	if r, err := filepath.Rel(cwd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// sameFile reports whether two paths name one file (a workspace .amazonq
// that links to the global directory loads the user's files twice).
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
