package session

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/wstrust"
)

// trustStore is the record of trusted workspace configuration, in q's own
// configuration directory.
func trustStore() *wstrust.Store {
	return wstrust.Open(filepath.Join(paths.ConfigDir(), wstrust.FileName))
}

// gateWorkspace decides whether the hooks, MCP servers and permission
// grants that the workspace configures for cfg apply, every time an agent
// is loaded: a workspace file whose hooks, servers and grants are exactly
// those the user trusted applies; new or changed ones apply only after
// the user confirms them at startup, once for all (--trust-workspace has
// recorded the workspace's files before that). Otherwise the agent file's
// hooks and grants are dropped (blocked is set; its deny-type settings
// still apply) and the file's servers left out of the returned list, with
// a warning per file saying how to trust it.
func (s *Session) gateWorkspace(cfg *agentcfg.Agent, servers []mcp.ServerConfig) ([]mcp.ServerConfig, bool) {
	store := trustStore()
	var pending []wstrust.Source
	var states []wstrust.State
	for _, src := range wstrust.Sources(cfg, servers, s.cwd, s.home) {
		if st := store.State(s.cwd, src); st != wstrust.Trusted {
			pending, states = append(pending, src), append(states, st)
		}
	}
	if len(pending) == 0 {
		return servers, false
	}
	if s.confirmTrust(pending, states) {
		for _, src := range pending {
			if err := store.Trust(s.cwd, src); err != nil {
				s.Warn("could not record that %s is trusted: %v", src.File, err)
			}
		}
		return servers, false
	}
	blocked := map[string]bool{}
	for i, src := range pending {
		blocked[src.Origin] = true
		s.Warn("%s", refusal(src, states[i], s.o.NoInteractive))
	}
	return slices.DeleteFunc(servers, func(sc mcp.ServerConfig) bool { return blocked[sc.Source] }), blocked["agent"]
}

// why says how a source stands, for the question and the warning.
func why(state wstrust.State) string {
	if state == wstrust.Changed {
		return "changed since you trusted it"
	}
	return "is new in this workspace"
}

// refusal is the one-line warning for a source that is not run.
func refusal(src wstrust.Source, state wstrust.State, noInteractive bool) string {
	how := "start q here interactively to review and trust them, or pass --trust-workspace"
	if !noInteractive {
		how = "restart q here to review and trust them, or pass --trust-workspace"
	}
	return fmt.Sprintf("%d hook(s)/MCP server(s)/permission grant(s) of %s not run: the file %s; %s", len(src.Items), src.File, why(state), how)
}

// confirmTrust reports whether the user trusts srcs, asked once at
// startup with everything they would run listed. Later loads (/agent
// swap) and sessions without a terminal do not ask.
func (s *Session) confirmTrust(srcs []wstrust.Source, states []wstrust.State) bool {
	if s.o.NoInteractive || s.started || s.o.In == nil || !term.IsTerminal(int(s.o.In.Fd())) {
		return false
	}
	var q strings.Builder
	q.WriteString("\nThis workspace configures commands that q would run, or let run unasked:\n")
	for i, src := range srcs {
		fmt.Fprintf(&q, "%s %s. It would run or grant:\n%s", src.File, why(states[i]), itemList(src))
	}
	q.WriteString("Trust these for this workspace? [t]rust (remember) / [n]ot now: ")
	s.notify("%s", q.String())
	switch strings.ToLower(strings.TrimSpace(readLine(s.o.In))) {
	case "t", "trust", "y", "yes":
		return true
	}
	s.notify("Not run; the session continues without them.\n")
	return false
}

// itemList shows each item on its own line, exactly (labels are made
// visible by wstrust).
func itemList(src wstrust.Source) string {
	var b strings.Builder
	for _, it := range src.Items {
		b.WriteString("  • " + strings.ReplaceAll(it.Label, "\n", "\n    ") + "\n")
	}
	return b.String()
}

// readLine reads one line from the terminal byte by byte, so nothing typed
// after it is taken from the line editor that reads next.
func readLine(r io.Reader) string {
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			if one[0] == '\n' || one[0] == '\r' {
				return string(b)
			}
			b = append(b, one[0])
		}
		if err != nil || len(b) > 1024 {
			return string(b)
		}
	}
}

// trustWorkspace records every workspace agent file (.amazonq/cli-agents,
// .kiro/agents) and the workspace mcp.json files as trusted as they are now (--trust-workspace), so that /agent
// swap to one of them runs its hooks and applies its grants; a file that
// appears or changes later in the session is still held back.
func (s *Session) trustWorkspace() {
	if filepath.Clean(s.cwd) == filepath.Clean(s.home) {
		return
	}
	// All directories are loaded, so that a workspace file knows the
	// user's agent it displaces (part of what is trusted); only the
	// workspace's files are recorded.
	var agents []*agentcfg.Agent
	for _, a := range agentcfg.Load(agentcfg.Dirs(s.cwd, s.home)).Agents {
		if !agentcfg.IsGlobal(a.Path, s.home) {
			agents = append(agents, a)
		}
	}
	agents = append(agents, &agentcfg.Agent{})
	store := trustStore()
	for _, a := range agents {
		servers, _ := mcp.Collect(a.MCPServers, true, s.cwd, s.home)
		for _, src := range wstrust.Sources(a, servers, s.cwd, s.home) {
			if store.State(s.cwd, src) == wstrust.Trusted {
				continue
			}
			s.notify("Trusting %s (--trust-workspace):\n%s", src.File, itemList(src))
			if err := store.Trust(s.cwd, src); err != nil {
				s.Warn("could not record that %s is trusted: %v", src.File, err)
			}
		}
	}
}
