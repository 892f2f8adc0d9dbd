package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/awspolicy"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/hook"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/notice"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/wstrust"
)

// permConfig is the permission configuration of agent cfg, without its
// permission grants when the workspace gate held its file back.
func (s *setup) permConfig(cfg *agentcfg.Agent) permission.Config {
	if s.agentBlocked {
		cfg = wstrust.WithoutGrants(cfg)
	}
	trustAll, _ := s.managed.TrustAllAllowed()
	return permission.Config{AllowedTools: cfg.AllowedTools, ToolsSettings: cfg.ToolsSettings,
		Cwd: s.cwd, Home: s.home, Source: cfg.Path, DisableTrustAll: !trustAll}
}

// applyAgent makes cfg the active agent: its tools, permissions, MCP
// servers, hooks, context and prompt replace the previous agent's at once.
func (s *setup) applyAgent(ctx context.Context, cfg *agentcfg.Agent) {
	s.cfg = cfg
	// The workspace gate decides first: it may hold back the agent file's
	// permission grants as well as its hooks and servers.
	servers := s.gateWorkspace(cfg, s.collectMCP(cfg))
	checker, warnings, err := permission.New(s.permConfig(cfg), s.popts)
	if err != nil {
		// An unusable working directory, or launch flags that would trust
		// every tool against disableTrustAll (newSetup refuses those for the
		// first agent), fail here; nothing may run unasked then.
		s.warn("permissions: %v; every tool call will ask", err)
		fallback := permission.Config{Cwd: "/", Home: s.home, DisableTrustAll: s.permConfig(cfg).DisableTrustAll}
		checker, _, _ = permission.New(fallback, permission.Options{TrustToolsSet: true})
	}
	for _, w := range warnings {
		s.warn("%s", w)
	}

	s.legacy = s.loadLegacy()

	if s.mcp != nil {
		s.mcp.Close()
	}
	mgr := s.startMCP(ctx, cfg, servers)
	if s.hooks != nil {
		s.hooks.Close()
	}
	s.setChildren(mgr, hook.New(s.mergedHooks(), hook.Options{Cwd: s.cwd, Environ: s.env.Environ,
		Warn: func(m string) { s.warn("%s", m) }}))

	a := s.agent
	a.Tools = append(selectTools(cfg, s.settings), s.subagentTools(cfg)...)
	mgr, agentTools := s.mcp, cfg.Tools
	a.MoreTools = func() []tool.Tool {
		if mgr == nil {
			return nil
		}
		return mcp.FilterTools(mgr.Tools(), agentTools)
	}
	a.Permissions = s.layered(checker)
	a.Hooks = s.hooks
	a.Context = s.contextText
	a.System = systemPrompt(s.cwd, cfg.Prompt)
	a.Conv.Agent = cfg.Name
}

// layered puts the managed layer and the AWS policy guard over checker.
func (s *setup) layered(checker *permission.Checker) *permission.Layered {
	layered := &permission.Layered{Checker: checker, Managed: s.managed}
	if guard := awspolicy.New(s.managed, awspolicy.UserAgent(s.env.Version), s.env.Environ); guard != nil {
		guard.Identity = s.awsIdentity()
		layered.AWS = guard.Check
	}
	return layered
}

// mergedHooks are the agent's hooks, unless the workspace gate held them
// back, and the legacy profile hooks (the user's own).
func (s *setup) mergedHooks() map[agentcfg.Trigger][]agentcfg.HookSpec {
	var merged map[agentcfg.Trigger][]agentcfg.HookSpec
	if !s.agentBlocked {
		merged = maps.Clone(s.cfg.Hooks)
	}
	if merged == nil {
		merged = map[agentcfg.Trigger][]agentcfg.HookSpec{}
	}
	for trig, specs := range s.legacy.Hooks() {
		merged[trig] = append(slices.Clone(merged[trig]), specs...)
	}
	return merged
}

// awsIdentity is who AI-initiated AWS calls run as: the attribution role
// with its source identity and session tags when one is configured, else
// the user's own identity as STS reports it.
func (s *setup) awsIdentity() func() awspolicy.Identity {
	if s.attribution == nil {
		return awspolicy.CallerIdentity(s.env.Environ)
	}
	return func() awspolicy.Identity {
		si, tags := s.attribution.Identity()
		return awspolicy.Identity{ARN: s.attribution.RoleArn(), SourceIdentity: si, Tags: tags}
	}
}

// collectMCP returns the MCP servers agent cfg configures, with the
// workspace's and the user's mcp.json when it uses them.
func (s *setup) collectMCP(cfg *agentcfg.Agent) []mcp.ServerConfig {
	servers, warnings := mcp.Collect(cfg.MCPServers, cfg.UseLegacyMcpJSON || cfg.IncludeMcpJSON, s.cwd, s.home)
	rec := notices()
	show := map[string]bool{} // file version -> whether its notices are new
	for _, w := range warnings {
		// An attribute qdev ignores is said once per version of its file.
		if w.Digest != "" {
			key := notice.Key("mcp.json", w.File, w.Digest)
			first, decided := show[key]
			if !decided {
				first = rec.First(key)
				show[key] = first
			}
			if !first {
				continue
			}
		}
		s.warn("%s", w)
	}
	return servers
}

// startMCP starts servers, the agent's MCP servers the workspace gate let
// through, in the background; servers the organisation does not allow are
// skipped with a warning.
func (s *setup) startMCP(ctx context.Context, cfg *agentcfg.Agent, servers []mcp.ServerConfig) *mcp.Manager {
	allowed := servers[:0]
	for _, sc := range servers {
		if sc.Type == mcp.TypeStdio {
			// Judge and run the file the command resolves to, not its name.
			// Without an allow-list, a command that does not resolve is left
			// to fail at start, where /mcp shows the error.
			resolved, err := mcp.ResolveCommand(sc, s.env.Environ, s.cwd)
			if err != nil && s.managed != nil && s.managed.AllowedMCPServers != nil {
				s.warn("MCP server %s not started: %v", sc.Name, err)
				continue
			}
			sc.Resolved = resolved
		}
		if ok, rule := s.managed.MCPServerAllowed(sc.Name, sc.Resolved, sc.URL); !ok {
			s.warn("MCP server %s not started: %s", sc.Name, managed.Blocked(rule))
			continue
		}
		allowed = append(allowed, sc)
	}
	if len(allowed) == 0 {
		return nil
	}
	var reserved []string
	for _, t := range tool.Builtins() {
		reserved = append(reserved, t.Spec().Name)
	}
	opts := mcp.Options{Environ: s.env.Environ, Dir: s.cwd, Aliases: cfg.ToolAliases, Reserved: reserved, Logger: s.log,
		HTTPClient: s.net.Client()}
	if s.managed != nil && s.managed.Sandbox.MCPServers {
		opts.Sandbox = s.env.Sandbox
	}
	return mcp.Start(ctx, allowed, opts)
}

// contextText is the context sent with every request: the agent's
// resources and the profile's context files (capped at 75% of the window,
// re-read each time so edits are seen), then agentSpawn hook output.
func (s *setup) contextText() string {
	r := s.ContextFiles()
	for _, w := range r.Warnings {
		s.warn("%s", w)
	}
	text := r.Text
	for _, res := range s.resources {
		if text != "" {
			text += "\n\n"
		}
		text += res
	}
	if spawn := s.hooks.AgentSpawn(context.Background()); spawn != "" {
		if text != "" {
			text += "\n\n"
		}
		text += spawn
	}
	return text
}

// selectTools returns the built-in tools the agent enables. thinking and
// todo_list are experiments in the Q CLI, off unless their setting is on.
func selectTools(cfg *agentcfg.Agent, st *settings.Settings) []tool.Tool {
	gated := map[string]string{"thinking": "chat.enableThinking", "todo_list": "chat.enableTodoList"}
	var out []tool.Tool
	for _, t := range tool.Builtins() {
		name := t.Spec().Name
		if key, ok := gated[name]; ok && !st.Bool(key, false) {
			continue
		}
		if enabled(cfg.Tools, name) {
			out = append(out, t)
		}
	}
	return out
}

func enabled(list []string, name string) bool {
	for _, e := range list {
		if e == "*" || e == "@builtin" || e == name || e == "@builtin/"+name {
			return true
		}
	}
	return false
}

// The chat.Workspace methods.

func (s *setup) Agents() ([]*agentcfg.Agent, []string) {
	return agentcfg.List(agentcfg.Dirs(s.cwd, s.home))
}

func (s *setup) Active() *agentcfg.Agent { return s.cfg }

func (s *setup) Swap(ctx context.Context, name string) error {
	a, err := agentcfg.Load(agentcfg.Dirs(s.cwd, s.home)).Lookup(name)
	switch {
	case err != nil:
		return err
	case a == nil && name == agentcfg.DefaultName:
		a = agentcfg.Default()
	case a == nil:
		return fmt.Errorf("no agent named %q (/agent list shows them)", name)
	}
	if s.refused {
		// The agent chosen at launch was refused; this one was chosen now.
		s.refused, s.popts.TrustToolsSet = false, s.o.trustToolsSet
	}
	s.agentNotes(a)
	s.applyAgent(ctx, a)
	s.welcome(true)
	return nil
}

func (s *setup) Legacy() *contextfiles.LegacyContext { return s.legacy }

func (s *setup) ContextFiles() contextfiles.Result {
	paths := append(slices.Clone(s.cfg.Resources), s.legacy.Paths()...)
	return contextfiles.Build(paths, s.cwd, s.home, s.agent.Window*3/4)
}

func (s *setup) Hooks() []hook.Info { return s.hooks.List() }

func (s *setup) ReloadHooks() {
	s.hooks.Close()
	s.setChildren(s.mcp, hook.New(s.mergedHooks(), hook.Options{Cwd: s.cwd, Environ: s.env.Environ,
		Warn: func(m string) { s.warn("%s", m) }}))
	s.agent.Hooks = s.hooks
}

func (s *setup) ResetHooks() { s.hooks.Reset() }

func (s *setup) MCP() *mcp.Manager { return s.mcp }

func (s *setup) AttachResource(ctx context.Context, server, uri string) (string, error) {
	if s.mcp == nil {
		return "", fmt.Errorf("no MCP servers are configured")
	}
	blocks, err := s.mcp.ReadResource(ctx, server, uri)
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

func (s *setup) CreateAgent(name string) (string, error) {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "/\\") {
		return "", fmt.Errorf("invalid agent name %q", name)
	}
	dir := agentcfg.WorkspaceDir(s.cwd)
	path := filepath.Join(dir, name+".json")
	if _, err := os.Stat(path); err == nil {
		return "", fmt.Errorf("%s already exists", path)
	}
	a := &agentcfg.Agent{Name: name, Description: "Created with /agent create", Tools: []string{"*"},
		Resources: slices.Clone(s.cfg.Resources), UseLegacyMcpJSON: true}
	data, err := agentcfg.Marshal(a)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, data, 0o644)
}
