package session

import (
	"context"
	"fmt"
	"slices"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/hook"
	"github.com/qdev/qdev/internal/mcp"
)

// activate makes cfg the active agent file: the previous one's MCP servers
// and hooks stop, cfg is assembled, and its tools, permissions, servers,
// hooks, context and prompt replace the previous ones at once.
func (s *Session) activate(ctx context.Context, cfg *agentcfg.Agent) *Assembly {
	s.current().Close()
	asm := s.Assemble(ctx, cfg)
	cfg = asm.Config // the user's own file when an untrusted workspace file displaced it
	asm.Kit.Context = s.contextText
	s.openKnowledge(cfg, asm.Permissions)
	s.setAssembly(asm)
	if s.agent != nil {
		s.equip(asm)
		s.agent.Conversation().Agent = cfg.Name
	}
	return asm
}

// equip gives the session's agent what asm configures, with use_subagent
// when the agent file enables it (the tool needs the agent, so the first
// assembly is equipped once the agent exists).
func (s *Session) equip(asm *Assembly) {
	asm.Kit.Tools = append(asm.Kit.Tools, s.subagentTools(asm.Config)...)
	s.agent.Equip(asm.Kit)
}

// current is the active assembly.
func (s *Session) current() *Assembly {
	s.childMu.Lock()
	defer s.childMu.Unlock()
	return s.asm
}

// contextText is the context sent with every request: the agent's
// resources and the profile's context files (capped at 75% of the window,
// re-read each time so edits are seen), attached MCP resources, then
// agentSpawn hook output.
func (s *Session) contextText() string {
	r := s.ContextFiles()
	for _, w := range r.Warnings {
		s.Warn("%s", w)
	}
	text := r.Text
	for _, res := range s.resources {
		if text != "" {
			text += "\n\n"
		}
		text += res
	}
	if spawn := s.current().Hooks.AgentSpawn(context.Background()); spawn != "" {
		if text != "" {
			text += "\n\n"
		}
		text += spawn
	}
	return text
}

// The chat.Workspace methods.

// Agents lists the agents that can be swapped to, with load warnings.
func (s *Session) Agents() ([]*agentcfg.Agent, []string) {
	return agentcfg.List(agentcfg.Dirs(s.cwd, s.home))
}

// Active is the agent file in use.
func (s *Session) Active() *agentcfg.Agent { return s.current().Config }

// Swap makes the named agent the active one.
func (s *Session) Swap(ctx context.Context, name string) error {
	a, err := s.findAgent(name)
	switch {
	case err != nil:
		return err
	case a == nil:
		return fmt.Errorf("no agent named %q (/agent list shows them)", name)
	}
	if s.refused {
		// The agent chosen at launch was refused; this one was chosen now.
		s.refused, s.launch.TrustToolsSet = false, s.o.Permissions.TrustToolsSet
	}
	s.agentNotes(a)
	s.activate(ctx, a)
	s.Welcome()
	return nil
}

// findAgent loads the agent file called name, the built-in agent for the
// default name when no file overrides it; nil when there is none.
func (s *Session) findAgent(name string) (*agentcfg.Agent, error) {
	a, err := agentcfg.Load(agentcfg.Dirs(s.cwd, s.home)).Lookup(name)
	if err == nil && a == nil && name == agentcfg.DefaultName {
		a = agentcfg.Default()
	}
	return a, err
}

// Legacy is the profile context of /context add|rm|clear and /context hooks.
func (s *Session) Legacy() *contextfiles.LegacyContext { return s.current().Legacy }

// ContextFiles builds the context files as the next request will send them.
func (s *Session) ContextFiles() contextfiles.Result {
	asm := s.current()
	paths := append(slices.Clone(asm.Config.Resources), asm.Legacy.Paths()...)
	return contextfiles.Build(paths, s.cwd, s.home, s.agent.Window()*3/4)
}

// Hooks lists the hooks in effect.
func (s *Session) Hooks() []hook.Info { return s.current().Hooks.List() }

// ReloadHooks applies /context hooks edits: the hooks restart from the
// agent file and the profile as they are now.
func (s *Session) ReloadHooks() {
	s.childMu.Lock()
	asm := s.asm
	old := asm.Hooks
	asm.Hooks = s.hookRunner(asm)
	asm.Kit.Hooks = asm.Hooks
	exiting := s.exiting
	s.childMu.Unlock()
	old.Close()
	if exiting {
		asm.Hooks.Close()
	}
	s.agent.Equip(asm.Kit)
}

// ResetHooks re-runs agentSpawn hooks on the next request.
func (s *Session) ResetHooks() { s.current().Hooks.Reset() }

// MCP is the running MCP servers (nil when none are configured).
func (s *Session) MCP() *mcp.Manager {
	if asm := s.current(); asm != nil {
		return asm.MCP
	}
	return nil
}

// AttachResource reads an MCP resource and adds it to the context of the
// rest of the session; it returns a one-line summary.
func (s *Session) AttachResource(ctx context.Context, server, uri string) (string, error) {
	m := s.MCP()
	if m == nil {
		return "", fmt.Errorf("no MCP servers are configured")
	}
	blocks, err := m.ReadResource(ctx, server, uri)
	if err != nil {
		return "", err
	}
	text := ""
	for _, b := range blocks {
		text += b.Text
	}
	if text == "" {
		return "", fmt.Errorf("%s has no text content", uri)
	}
	s.resources = append(s.resources, fmt.Sprintf("--- CONTEXT ENTRY BEGIN ---\n[MCP resource %s %s]\n%s\n--- CONTEXT ENTRY END ---", server, uri, text))
	return fmt.Sprintf("Attached %s from %s (~%d tokens) to the context of this session.", uri, server, len(text)/4), nil
}

// CreateAgent writes a new workspace agent file, with the active agent's
// resources, and returns its path.
func (s *Session) CreateAgent(name string) (string, error) {
	a := &agentcfg.Agent{Name: name, Description: "Created with /agent create", Tools: []string{"*"},
		Resources: slices.Clone(s.current().Config.Resources), UseLegacyMcpJSON: true}
	return agentcfg.Create(agentcfg.WorkspaceDir(s.cwd), a)
}
