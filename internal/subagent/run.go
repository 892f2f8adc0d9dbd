package subagent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// run is one use_subagent call at work.
type run struct {
	t       *Tool
	s       *screen
	parent  agent.Permissions
	hooks   agent.Hooks
	approve agent.Approver
	// cancel stops every subagent of the call.
	cancel context.CancelFunc
	// asking holds the one question on screen; the others wait for it.
	asking chan struct{}
	// interrupted is set when the user answered a question with Ctrl-C,
	// which the call's context does not show.
	interrupted atomic.Bool
}

// outcome is how one subagent ended.
type outcome struct {
	task   task
	answer string
	err    error
}

// invoke runs tasks, at most t.Parallel at once, and returns their
// answers in the order of the tasks once every subagent has ended.
func (t *Tool) invoke(ctx context.Context, out io.Writer, tasks []task) tool.Result {
	p := t.Parent
	if p.Permissions() == nil {
		return tool.ErrorResult(errNoPermissions.Error())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{t: t, s: &screen{w: out}, parent: p.Permissions(), hooks: p.Kit().Hooks, approve: p.Approver(),
		cancel: cancel, asking: make(chan struct{}, 1)}
	outcomes := make([]outcome, len(tasks))
	limit := t.Parallel
	if limit <= 0 {
		limit = MaxParallel
	}
	parallel(ctx, len(tasks), limit, func(ctx context.Context, i int) {
		outcomes[i] = r.one(ctx, tasks[i])
	})
	res := assemble(outcomes)
	res.Interrupted = r.interrupted.Load()
	return res
}

// parallel calls f for 0..n-1, at most limit at once, and returns when
// every call has returned. Calls still waiting for their turn when ctx
// ends are made at once, so that they can report that they did not run.
func parallel(ctx context.Context, n, limit int, f func(ctx context.Context, i int)) {
	slots := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
			}
			f(ctx, i)
		}()
	}
	wg.Wait()
}

// one runs one subagent to the end of its turn.
func (r *run) one(ctx context.Context, tk task) outcome {
	if ctx.Err() != nil {
		return outcome{task: tk, err: agent.ErrInterrupted}
	}
	ch, err := r.t.Builder.Child(ctx, tk.agent, tk.label)
	if err == nil && (ch == nil || ch.Agent == nil || ch.Agent.Conversation() == nil || ch.Own == nil) {
		err = errors.New("the subagent could not be built")
	}
	if err != nil {
		r.s.line(tk.label, "✗ not started: "+err.Error())
		return outcome{task: tk, err: err}
	}
	if ch.Close != nil {
		defer ch.Close()
	}
	if names := r.t.trusted.list(); len(names) > 0 {
		// What the user trusted at an earlier subagent's question; the
		// parent already trusts it.
		_ = ch.Own.Trust(names...)
	}
	a := ch.Agent
	kit := a.Kit()
	kit.Permissions = &Permissions{Parent: r.parent, Own: ch.Own, remember: &r.t.trusted}
	kit.Hooks = nil
	if r.hooks != nil {
		kit.Hooks = toolHooks{r.hooks}
	}
	a.Equip(kit)
	obs := newObserver(r.s, tk.label)
	a.Attach(obs, r.ask(tk.label))
	r.s.line(tk.label, "started: "+clip(tk.Query, 120))
	err = a.Turn(ctx, []model.Block{{Type: model.TextBlock, Text: promptOf(tk.Task)}})
	obs.finish()
	switch {
	case err == nil:
		r.s.line(tk.label, "✓ done")
	case errors.Is(err, agent.ErrInterrupted) || ctx.Err() != nil:
		err = agent.ErrInterrupted
		r.s.line(tk.label, "✗ interrupted")
	default:
		r.s.line(tk.label, "✗ stopped: "+err.Error())
	}
	return outcome{task: tk, answer: lastAnswer(a.Conversation()), err: err}
}

// ask returns the Approver of one subagent: its questions go to the
// parent's, one at a time, each under a line that says which subagent
// asks and what for. While a question is open the other subagents' lines
// wait. Ctrl-C at a question stops every subagent of the call.
func (r *run) ask(label string) agent.Approver {
	return func(ctx context.Context, c *agent.Call) (agent.Answer, error) {
		if r.approve == nil {
			return agent.Deny, errors.New("nobody can answer a subagent's question here")
		}
		select {
		case r.asking <- struct{}{}:
		case <-ctx.Done():
			return agent.Deny, agent.ErrInterrupted
		}
		defer func() { <-r.asking }()
		if ctx.Err() != nil {
			return agent.Deny, agent.ErrInterrupted
		}
		show := r.s.hold()
		defer r.s.release()
		show(label, "asks to use "+c.Name+":")
		if c.Inv != nil {
			var b strings.Builder
			c.Inv.Describe(&b, false)
			for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
				show(label, "  "+l)
			}
		}
		ans, err := r.approve(ctx, c)
		if errors.Is(err, agent.ErrInterrupted) {
			r.interrupted.Store(true)
			r.cancel()
		}
		return ans, err
	}
}

// promptOf is the first message of a subagent's conversation.
func promptOf(t Task) string {
	if strings.TrimSpace(t.RelevantContext) == "" {
		return t.Query
	}
	return t.Query + "\n\nContext from the agent that handed you this task:\n" + t.RelevantContext
}

// lastAnswer is the text of the last answer in c, "" when there is none.
func lastAnswer(c *agent.Conversation) string {
	for i := len(c.Messages) - 1; i >= 0; i-- {
		if m := c.Messages[i]; m.Role == model.Assistant {
			if text := strings.TrimSpace(m.Text()); text != "" {
				return text
			}
		}
	}
	return ""
}

// assemble is the tool's result: each subagent's label, how it ended and
// its final answer, in the order of the tasks. It is an error only when
// no subagent finished.
func assemble(outs []outcome) tool.Result {
	var b strings.Builder
	failed := 0
	for i, o := range outs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		status := "completed"
		switch {
		case errors.Is(o.err, agent.ErrInterrupted):
			status = "interrupted by the user"
		case o.err != nil:
			status = "failed: " + o.err.Error()
		}
		if o.err != nil {
			failed++
		}
		fmt.Fprintf(&b, "## Subagent %s (agent %s): %s\n", o.task.label, o.task.agent, status)
		answer := o.answer
		if answer == "" {
			answer = "(no answer)"
		}
		b.WriteString(answer)
	}
	res := tool.TextResult(b.String())
	res.IsError = failed == len(outs)
	return res
}
