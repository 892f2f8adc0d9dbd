package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/subagent"
	"github.com/qdev/qdev/internal/tool"
)

// subagentTools is the use_subagent tool when the chat.enableDelegate
// experiment is on and agent cfg enables the tool; nil otherwise.
func (s *setup) subagentTools(cfg *agentcfg.Agent) []tool.Tool {
	if !s.settings.Bool(settings.ExperimentDelegate, false) || !enabled(cfg.Tools, subagent.Name) {
		return nil
	}
	return []tool.Tool{subagent.New(subagentBuilder{s}, s.agent)}
}

// subagentBuilder builds subagents under the session's governance.
type subagentBuilder struct{ s *setup }

// Agents lists the agents of this workspace and user, the default one
// included. Files that do not load are listed too, so that a task naming
// one fails with the file's problems rather than "no agent named".
func (b subagentBuilder) Agents() []subagent.Info {
	dirs := agentcfg.Dirs(b.s.cwd, b.s.home)
	all, _ := agentcfg.List(dirs)
	var out []subagent.Info
	for _, a := range all {
		out = append(out, subagent.Info{Name: a.Name, Description: a.Description})
	}
	for _, inv := range agentcfg.Load(dirs).Invalid {
		for _, n := range inv.Names {
			if !slices.ContainsFunc(out, func(i subagent.Info) bool { return i.Name == n }) {
				out = append(out, subagent.Info{Name: n, Description: "(invalid: " + inv.Path + ")"})
			}
		}
	}
	return out
}

// Child builds the subagent that runs as agent name: the tools, prompt,
// resources and permission settings of its file, the session's model,
// environment (sandbox, attribution) and MCP servers (those its tools
// enable), and the session's audit trail, which names it label. The file's
// hooks and MCP servers are not started and its model is not used: a
// subagent is part of its parent's session.
func (b subagentBuilder) Child(_ context.Context, name, label string) (*subagent.Child, error) {
	s := b.s
	cfg, err := agentcfg.Load(agentcfg.Dirs(s.cwd, s.home)).Lookup(name)
	switch {
	case err != nil:
		return nil, err
	case cfg == nil && name == agentcfg.DefaultName:
		cfg = agentcfg.Default()
	case cfg == nil:
		return nil, fmt.Errorf("no agent named %q", name)
	}
	// The file's own layer, under the session's launch flags; the tool
	// puts it beneath the session's permissions, so it can only narrow
	// (which is also why the workspace gate need not judge the file: its
	// grants widen nothing, and its hooks and servers do not run).
	own, warnings, err := permission.New(s.permConfig(cfg), s.popts)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		s.warn("subagent %s: %s", label, w)
	}
	parent := s.agent
	conv := agent.NewConversation(parent.Conv.Model, cfg.Name, s.cwd)
	env := *s.env
	env.Transcript = conv.Transcript
	mgr, agentTools := s.mcp, cfg.Tools
	a := &agent.Agent{Config: agent.Config{
		Provider: parent.Provider, ModelID: parent.ModelID, Window: parent.Window,
		AutoCompactPercent: parent.AutoCompactPercent, MaxTokens: parent.MaxTokens, Log: s.log, Env: &env,
		Tools: selectTools(cfg, s.settings),
		MoreTools: func() []tool.Tool {
			if mgr == nil {
				return nil
			}
			return mcp.FilterTools(mgr.Tools(), agentTools)
		},
		System: systemPrompt(s.cwd, cfg.Prompt) + "\n\nYou are a subagent: another agent handed you the task in the first message. " +
			"Nobody sees your conversation; your final answer is all that agent receives, so end with a complete, self-contained answer.",
		Context: func() string {
			r := contextfiles.Build(cfg.Resources, s.cwd, s.home, parent.Window*3/4)
			for _, w := range r.Warnings {
				s.warn("subagent %s: %s", label, w)
			}
			return r.Text
		},
		Audit:      func(c *agent.Call, r tool.Result) { s.recordFor(label, c, r) },
		AuditReady: func(c *agent.Call) error { return s.auditReadyFor(label, c) },
	}, Conv: conv}
	return &subagent.Child{Agent: a, Own: own}, nil
}
