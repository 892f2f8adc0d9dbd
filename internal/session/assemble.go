package session

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/qdev/qdev/internal/agent"
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

// Assembly is an agent file made ready to run under a Builder's layers.
type Assembly struct {
	// Config is the agent file.
	Config *agentcfg.Agent
	// Kit is what the agent is equipped with, but for Context, which is
	// left to the caller (the session adds attached MCP resources).
	Kit agent.Kit
	// Legacy is the user's profile context and hooks as read now.
	Legacy *contextfiles.LegacyContext
	// MCP is the MCP servers started (nil when none), Hooks what runs the
	// hooks.
	MCP   *mcp.Manager
	Hooks *hook.Runner
	// Blocked is set when the workspace gate held back the agent file's
	// hooks and permission grants; its deny-type settings still apply.
	Blocked bool
	// Permissions judges the agent's calls (the Kit's, as a concrete type,
	// for what judges files itself, such as knowledge bases).
	Permissions *permission.Layered
}

// Close stops the assembly's hooks and MCP servers, process groups
// included. A nil Assembly has nothing to stop.
func (a *Assembly) Close() {
	if a == nil {
		return
	}
	if a.Hooks != nil {
		a.Hooks.Close()
	}
	if a.MCP != nil {
		a.MCP.Close()
	}
}

// Assemble makes agent file cfg ready to run: the workspace gate decides
// first (it may hold back the file's permission grants, hooks and
// servers), then its permissions are built under the managed layer and the
// launch flags, its MCP servers started in the background and its hooks
// merged with the user's profile hooks. Problems are warnings: an agent
// whose permissions cannot be built gets one where every call asks.
func (b *Builder) Assemble(ctx context.Context, cfg *agentcfg.Agent) *Assembly {
	cfg, servers, blocked := b.gated(cfg)
	asm := &Assembly{Config: cfg, Blocked: blocked}
	perms, err := b.Permissions(cfg, blocked)
	if err != nil {
		// An unusable working directory, or launch flags that would trust
		// every tool against disableTrustAll (New refuses those for the
		// first agent), fail here; nothing may run unasked then.
		b.warn("permissions: %v; every tool call will ask", err)
		fallback := permission.Config{Cwd: "/", Home: b.home, DisableTrustAll: b.permConfig(cfg, blocked).DisableTrustAll}
		checker, _, _ := permission.New(fallback, permission.Options{TrustToolsSet: true})
		perms = b.layered(checker)
	}
	asm.Legacy = b.loadLegacy()
	asm.MCP = b.startMCP(ctx, cfg, servers)
	asm.Hooks = b.hookRunner(asm)
	asm.Kit = b.kit(cfg, asm.MCP)
	asm.Kit.Permissions, asm.Kit.Hooks = perms, asm.Hooks
	asm.Permissions = perms
	return asm
}

// gated runs the workspace gate on agent file cfg. When the gate holds
// cfg back and cfg, a workspace file, displaces the user's own agent file
// of the same name, the user's file is used instead: an untrusted
// workspace file must not drop the deny rules of the agent the user
// chose.
func (b *Builder) gated(cfg *agentcfg.Agent) (*agentcfg.Agent, []mcp.ServerConfig, bool) {
	servers, blocked := b.gate(cfg, b.collectMCP(cfg))
	if !blocked {
		return cfg, servers, false
	}
	for _, alt := range cfg.Shadowed {
		if !agentcfg.IsGlobal(alt.Path, b.home) {
			continue
		}
		b.warn("agent %s: %s is not trusted, so your own %s is used", cfg.Name, cfg.Path, alt.Path)
		servers, blocked = b.gate(alt, b.collectMCP(alt))
		return alt, servers, blocked
	}
	return cfg, servers, true
}

// kit is what agent file cfg gives an agent but for its permissions,
// hooks and context: its system prompt, its built-in tools and the tools
// of mgr's MCP servers it enables.
func (b *Builder) kit(cfg *agentcfg.Agent, mgr *mcp.Manager) agent.Kit {
	agentTools := cfg.Tools
	return agent.Kit{
		System: systemPrompt(b.cwd, cfg.Prompt),
		Tools:  selectTools(cfg, b.settings),
		MoreTools: func() []tool.Tool {
			if mgr == nil {
				return nil
			}
			return mcp.FilterTools(mgr.Tools(), agentTools)
		},
	}
}

// Permissions judges the calls of an agent built from cfg: its
// allowedTools and toolsSettings (without the grants when blocked) under
// the launch flags, with the managed layer and the AWS policy guard over
// them. Warnings about the settings are reported.
func (b *Builder) Permissions(cfg *agentcfg.Agent, blocked bool) (*permission.Layered, error) {
	checker, warnings, err := permission.New(b.permConfig(cfg, blocked), b.launch)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		b.warn("%s", w)
	}
	return b.layered(checker), nil
}

// permConfig is the permission configuration of agent cfg, without its
// permission grants when the workspace gate held its file back.
func (b *Builder) permConfig(cfg *agentcfg.Agent, blocked bool) permission.Config {
	if blocked {
		cfg = wstrust.WithoutGrants(cfg)
	}
	trustAll, _ := b.managed.TrustAllAllowed()
	return permission.Config{AllowedTools: cfg.AllowedTools, ToolsSettings: cfg.ToolsSettings,
		Cwd: b.cwd, Home: b.home, Source: cfg.Path, DisableTrustAll: !trustAll}
}

// layered puts the managed layer and the AWS policy guard over checker.
func (b *Builder) layered(checker *permission.Checker) *permission.Layered {
	layered := &permission.Layered{Checker: checker, Managed: b.managed}
	if guard := awspolicy.New(b.managed, awspolicy.UserAgent(b.env.Version), b.env.Environ); guard != nil {
		guard.Identity = b.awsIdentity()
		layered.AWS = guard.Check
	}
	return layered
}

// awsIdentity is who AI-initiated AWS calls run as: the attribution role
// with its source identity and session tags when one is configured, else
// the user's own identity as STS reports it.
func (b *Builder) awsIdentity() func() awspolicy.Identity {
	if b.attribution == nil {
		return awspolicy.CallerIdentity(b.env.Environ)
	}
	return func() awspolicy.Identity {
		si, tags := b.attribution.Identity()
		return awspolicy.Identity{ARN: b.attribution.RoleArn(), SourceIdentity: si, Tags: tags}
	}
}

// hookRunner runs asm's hooks: the agent file's, unless the workspace gate
// held them back, and the legacy profile hooks (the user's own).
func (b *Builder) hookRunner(asm *Assembly) *hook.Runner {
	var merged map[agentcfg.Trigger][]agentcfg.HookSpec
	if !asm.Blocked {
		merged = maps.Clone(asm.Config.Hooks)
	}
	if merged == nil {
		merged = map[agentcfg.Trigger][]agentcfg.HookSpec{}
	}
	for trig, specs := range asm.Legacy.Hooks() {
		merged[trig] = append(slices.Clone(merged[trig]), specs...)
	}
	return hook.New(merged, hook.Options{Cwd: b.cwd, Environ: b.env.Environ, Warn: func(m string) { b.warn("%s", m) }})
}

// collectMCP returns the MCP servers agent cfg configures, with the
// workspace's and the user's mcp.json when it uses them.
func (b *Builder) collectMCP(cfg *agentcfg.Agent) []mcp.ServerConfig {
	servers, warnings := mcp.Collect(cfg.MCPServers, cfg.UseLegacyMcpJSON || cfg.IncludeMcpJSON, b.cwd, b.home)
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
		b.warn("%s", w)
	}
	return servers
}

// startMCP starts servers, the agent's MCP servers the workspace gate let
// through, in the background; servers the organisation does not allow are
// skipped with a warning.
func (b *Builder) startMCP(ctx context.Context, cfg *agentcfg.Agent, servers []mcp.ServerConfig) *mcp.Manager {
	allowed := servers[:0]
	for _, sc := range servers {
		if sc.Type == mcp.TypeStdio {
			// Judge and run the file the command resolves to, not its name.
			// Without an allow-list, a command that does not resolve is left
			// to fail at start, where /mcp shows the error.
			resolved, err := mcp.ResolveCommand(sc, b.env.Environ, b.cwd)
			if err != nil && b.managed != nil && b.managed.AllowedMCPServers != nil {
				b.warn("MCP server %s not started: %v", sc.Name, err)
				continue
			}
			sc.Resolved = resolved
		}
		if ok, rule := b.managed.MCPServerAllowed(sc.Name, sc.Resolved, sc.URL); !ok {
			b.warn("MCP server %s not started: %s", sc.Name, managed.Blocked(rule))
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
	opts := mcp.Options{Environ: b.env.Environ, Dir: b.cwd, Aliases: cfg.ToolAliases, Reserved: reserved, Logger: b.log,
		HTTPClient: b.net.Client()}
	if b.managed != nil && b.managed.Sandbox.MCPServers {
		opts.Sandbox = b.env.Sandbox
	}
	return mcp.Start(ctx, allowed, opts)
}

// selectTools returns the built-in tools the agent enables. thinking,
// knowledge and todo_list are experiments in the Q CLI, off unless their setting is on.
func selectTools(cfg *agentcfg.Agent, st *settings.Settings) []tool.Tool {
	gated := map[string]string{"thinking": "chat.enableThinking", "knowledge": "chat.enableKnowledge", "todo_list": "chat.enableTodoList"}
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

// systemPrompt tells the model who it is and where it works. The agent
// file's prompt is appended; context files come with every request.
func systemPrompt(cwd, agentPrompt string) string {
	s := fmt.Sprintf(`You are qdev, an AI assistant for software developers working in a terminal, compatible with the Amazon Q Developer CLI.
You help with code, shell commands and AWS. Use the tools to read and change files, run commands and call AWS rather than guessing.
Prefer small, verifiable steps. Tool calls may need the user's approval; if one is denied, ask what they would like instead.
Be concise; format answers as Markdown.

Environment:
- Operating system: %s/%s
- Working directory: %s
- Date: %s`, runtime.GOOS, runtime.GOARCH, cwd, time.Now().Format("2006-01-02"))
	if agentPrompt != "" {
		s += "\n\nFollow this instruction: " + agentPrompt
	}
	return s
}
