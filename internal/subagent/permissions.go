package subagent

import (
	"context"
	"slices"
	"sync"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Permissions judges the calls of one subagent with two layers, each of
// which can only tighten:
//
//  1. Parent: the parent session's permissions as they stand at the call,
//     which already put the organisation's managed layer and IAM policies
//     over the parent agent's file, the launch flags and the trust given
//     this session. What the parent may not do, no subagent may.
//  2. Own: the subagent's agent file (its allowedTools and toolsSettings,
//     with the launch flags). It narrows further; its grants widen nothing.
//
// The verdict is the stricter of the two: Deny over Ask over Allow. So a
// subagent may ask where its parent would run a call unasked, but never
// runs unasked what its parent would ask about or refuse. On a tie the
// parent's verdict is kept, since its reason (an organisation rule that
// always asks) matters more.
//
// The parent's trustedAgents is not a layer here: it lets a subagent
// start without asking (it is judged on the use_subagent call) and says
// nothing about the calls the subagent then makes.
type Permissions struct {
	Parent agent.Permissions
	Own    agent.Permissions
	// remember keeps names trusted at a subagent's question for the
	// subagents that start later in the session.
	remember *trustList
}

// Decide judges one call of the subagent.
func (p *Permissions) Decide(toolName, server string, acc tool.Access) permission.Decision {
	parent := p.Parent.Decide(toolName, server, acc)
	if parent.Kind == permission.Deny {
		return parent
	}
	own := p.Own.Decide(toolName, server, acc)
	if own.Kind > parent.Kind {
		return own
	}
	return parent
}

// Trust is the answer t at a subagent's question. It trusts the tools for
// the session, the parent included, as the same answer at the parent's
// question would: trusting them in the subagent alone could not stop the
// question, which the parent's layer may be asking. The parent refuses
// what the organisation forbids trusting. The subagent's own layer goes
// first: what it refuses leaves the parent untouched, while a trust its
// layer keeps after the parent refused widens nothing, the parent's
// verdict bounding it.
func (p *Permissions) Trust(names ...string) error {
	if err := p.Own.Trust(names...); err != nil {
		return err
	}
	if err := p.Parent.Trust(names...); err != nil {
		return err
	}
	if p.remember != nil {
		p.remember.add(names...)
	}
	return nil
}

// trustList is the tools trusted at subagents' questions in this session.
type trustList struct {
	mu    sync.Mutex
	names []string
}

func (l *trustList) add(names ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range names {
		if !slices.Contains(l.names, n) {
			l.names = append(l.names, n)
		}
	}
}

func (l *trustList) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.names)
}

// toolHooks runs the parent's preToolUse and postToolUse hooks on a
// subagent's calls: a hook that blocks a call of the parent blocks it in
// every subagent too. The prompt and stop hooks belong to the parent's
// turn and do not run for subagents.
type toolHooks struct{ parent agent.Hooks }

func (h toolHooks) UserPromptSubmit(context.Context, string) string { return "" }

func (h toolHooks) PreToolUse(ctx context.Context, c *agent.HookCall) (bool, string) {
	return h.parent.PreToolUse(ctx, c)
}

func (h toolHooks) PostToolUse(ctx context.Context, c *agent.HookCall, r tool.Result) {
	h.parent.PostToolUse(ctx, c, r)
}

func (h toolHooks) Stop(context.Context, agent.StopEvent) (bool, string) { return false, "" }
