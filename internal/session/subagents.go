package session

import (
	"context"
	"fmt"
	"slices"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/subagent"
	"github.com/qdev/qdev/internal/tool"
)

// subagentPrompt is added to a subagent's system prompt: nobody reads its
// conversation, so its last answer must stand on its own.
const subagentPrompt = "\n\nYou are a subagent: another agent handed you the task in the first message. " +
	"Nobody sees your conversation; your final answer is all that agent receives, so end with a complete, self-contained answer."

// subagentTools is the use_subagent tool when the chat.enableDelegate
// experiment is on and agent cfg enables the tool; nil otherwise.
func (s *Session) subagentTools(cfg *agentcfg.Agent) []tool.Tool {
	if !s.settings.Bool(settings.ExperimentDelegate, false) || !enabled(cfg.Tools, subagent.Name) {
		return nil
	}
	return []tool.Tool{subagent.New(subagents{s}, s.agent)}
}

// subagents builds the session's subagents under its layers. It is a type
// of its own because Session.Agents already serves /agent.
type subagents struct{ s *Session }

var _ subagent.Builder = subagents{}

// Agents lists the agents of this workspace and user, the default one
// included. Files that do not load are listed too, so that a task naming
// one fails with the file's problems rather than "no agent named".
func (b subagents) Agents() []subagent.Info {
	l := agentcfg.Load(agentcfg.Dirs(b.s.cwd, b.s.home))
	var out []subagent.Info
	for _, a := range l.List() {
		out = append(out, subagent.Info{Name: a.Name, Description: a.Description})
	}
	for _, inv := range l.Invalid {
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
// enable), and the session's audit trail, whose records name it label.
// The file's hooks and MCP servers are not started and its model is not
// used: a subagent is part of its parent's session.
func (b subagents) Child(_ context.Context, name, label string) (*subagent.Child, error) {
	s := b.s
	cfg, err := s.findAgent(name)
	switch {
	case err != nil:
		return nil, err
	case cfg == nil:
		return nil, fmt.Errorf("no agent named %q", name)
	}
	// The file's own layer, under the session's launch flags; the tool
	// puts it beneath the parent's permissions (managed layer included),
	// so it can only narrow. That is also why the workspace gate need not
	// judge the file: its grants widen nothing, and its hooks and servers
	// do not run.
	own, warnings, err := permission.New(s.permConfig(cfg, false), s.launch)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		s.Warn("subagent %s: %s", label, w)
	}
	parent := s.agent
	conv := agent.NewConversation(parent.Conversation().Model, cfg.Name, s.cwd)
	kit := s.kit(cfg, s.MCP())
	kit.System += subagentPrompt
	kit.Context = func() string {
		r := contextfiles.Build(cfg.Resources, s.cwd, s.home, parent.Window()*3/4)
		for _, w := range r.Warnings {
			s.Warn("subagent %s: %s", label, w)
		}
		return r.Text
	}
	// Its records go through the session's recorder, so they name the
	// session's conversation and queue with the parent's: the parent's
	// next call waits until they are durable.
	opts := s.AgentOptions(kit, Model{Ref: conv.Model, Provider: parent.Provider(), ID: parent.ModelID()}, conv,
		s.recorder.Subagent(label))
	opts.Window = parent.Window()
	env := *parent.Env()
	env.Transcript = conv.Transcript
	opts.Env = &env
	return &subagent.Child{Agent: agent.New(opts), Own: own}, nil
}
