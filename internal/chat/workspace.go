package chat

import (
	"context"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/hook"
	"github.com/qdev/qdev/internal/knowledge"
	"github.com/qdev/qdev/internal/mcp"
)

// Workspace is what the session's agent configures, for /agent, /context,
// /hooks, /mcp and /prompts. The CLI implements it; swapping an agent
// changes tools, permissions, MCP servers, hooks and context at once.
type Workspace interface {
	// Agents lists the agents that can be swapped to, with load warnings.
	Agents() ([]*agentcfg.Agent, []string)
	// Active is the agent in use.
	Active() *agentcfg.Agent
	// Swap makes the named agent the active one.
	Swap(ctx context.Context, name string) error
	// Legacy is the profile context of /context add|rm|clear and /context hooks.
	Legacy() *contextfiles.LegacyContext
	// ContextFiles builds the context files as the next request will send them.
	ContextFiles() contextfiles.Result
	// Hooks lists the hooks in effect; ReloadHooks applies /context hooks
	// edits; ResetHooks re-runs agentSpawn hooks on the next request.
	Hooks() []hook.Info
	ReloadHooks()
	ResetHooks()
	// MCP is the running MCP servers (nil when none are configured).
	MCP() *mcp.Manager
	// AttachResource reads an MCP resource and adds it to the context of
	// the rest of the session; it returns a one-line summary.
	AttachResource(ctx context.Context, server, uri string) (string, error)
	// CreateAgent writes a new workspace agent file and returns its path.
	CreateAgent(name string) (string, error)
	// Knowledge is the active agent's knowledge bases: nil when
	// chat.enableKnowledge is off, or with the error that kept them from
	// opening.
	Knowledge() (*knowledge.Store, error)
}

// Permissions is what /tools needs from the permission layer.
type Permissions interface {
	agent.Permissions
	Untrust(names ...string) error
	TrustAll() error
	Reset()
	Label(toolName, server string) string
	TrustedAll() bool
}

func (s *Session) perms() Permissions {
	p, _ := s.Agent.Permissions().(Permissions)
	return p
}
