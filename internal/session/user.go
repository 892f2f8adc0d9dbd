package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/audit/calls"
	"github.com/qdev/qdev/internal/chat"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/checkpoint"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/tool"
)

// RunCommand runs command on the user's behalf as execute_bash would: it
// is judged by the session's permissions (confirm is asked, with the
// reason, when a rule beyond "not trusted" wants approval; choosing to run
// it is the user's approval otherwise), confined by the sandbox and put on
// the audit trail with summary. Its output goes to out; it returns the
// command's exit status.
func (s *Session) RunCommand(ctx context.Context, command, summary string, confirm func(why string) bool, out io.Writer) (int, error) {
	// The user watches the command and can stop it with Ctrl-C: it gets
	// the longest timeout execute_bash allows.
	input, err := json.Marshal(map[string]any{"command": command, "summary": summary,
		"timeout_seconds": int(tool.MaxCommandTimeout.Seconds())})
	if err != nil {
		return 0, err
	}
	bash := tool.ExecuteBash{}
	inv, err := bash.Prepare(s.env, input)
	if err != nil {
		return 0, err
	}
	c := &agent.Call{ID: "translate", Name: "execute_bash", Input: input, Tool: bash, Inv: inv}
	c.Decision = s.agent.Permissions().Decide(c.Name, "", inv.Access())
	refuse := func(a agent.Approval, msg string) (int, error) {
		c.Approval = a
		s.recorder.Done(c, tool.ErrorResult(msg))
		s.recorder.Flush()
		return 0, fmt.Errorf("%s", msg)
	}
	switch c.Decision.Kind {
	case permission.Deny:
		return refuse(agent.DeniedByRule, "not run: "+termwidth.Visible(decisionText(c.Decision)))
	case permission.Allow:
		c.Approval = agent.AllowedByRule
	default:
		// Choosing to run the command is the user's approval, as 'y' is in
		// a chat; a rule that asks for more (the organisation's
		// requireApproval, say) is shown and asked about first.
		if d := c.Decision; d.Rule != "" && !d.Untrusted && !confirm(termwidth.Visible(decisionText(d))) {
			return refuse(agent.DeniedByUser, "not run: you declined")
		}
		c.Approval = agent.AllowedOnce
	}
	if err := s.recorder.Ready(c); err != nil {
		c.Approval = agent.NotApproved
		s.recorder.Done(c, tool.ErrorResult("Not run: "+err.Error()))
		s.recorder.Flush()
		return 0, fmt.Errorf("not run: %v", err)
	}
	res := inv.Run(ctx, out)
	s.recorder.Done(c, res)
	s.recorder.Flush()
	if res.IsError && ctx.Err() == nil && res.ExitStatus == 0 {
		// The command did not start (no shell, the sandbox refused it).
		return 0, fmt.Errorf("%s", calls.FirstLine(resultText(res)))
	}
	return res.ExitStatus, ctx.Err()
}

// decisionText renders a permission decision in one line: its rule and reasons.
func decisionText(d permission.Decision) string {
	s := d.Rule
	if len(d.Reasons) > 0 {
		s += ": " + strings.Join(d.Reasons, ", ")
	}
	return s
}

func resultText(r tool.Result) string {
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

// Checkpoints opens the workspace's checkpoint store when the
// chat.enableCheckpoint experiment is on; nil when it is off or cannot
// work here (no git, the home directory), which is said once.
func (s *Session) Checkpoints(ctx context.Context) *checkpoint.Store {
	if !s.settings.Bool(settings.ExperimentCheckpoint, false) {
		return nil
	}
	st, err := checkpoint.Open(ctx, paths.DataDir(), s.cwd, s.home)
	if err != nil {
		s.Warn("%v", err)
		return nil
	}
	return st
}

// TangentKey is the letter that with Ctrl toggles a tangent, or 0 when the
// chat.enableTangentMode experiment is off. A chat.tangentModeKey that is
// not one letter falls back to t, with a warning.
func (s *Session) TangentKey() rune {
	if !s.settings.Bool(settings.ExperimentTangent, false) {
		return 0
	}
	key := s.settings.String("chat.tangentModeKey", "t")
	if r := []rune(strings.ToLower(key)); len(r) == 1 && r[0] >= 'a' && r[0] <= 'z' {
		return r[0]
	}
	s.Warn("chat.tangentModeKey %q is not one letter; Ctrl-T toggles tangent mode", key)
	return 't'
}

// RecordAction puts a, something the user asked q itself to do, on the
// audit trail before it runs, as the session's tool calls are: the intent
// is durable before the returned function may be called to record the
// outcome.
func (s *Session) RecordAction(a chat.Action) (func(map[string]any, error), error) {
	return s.recorder.Action(a.Tool, a.Event, a.Params)
}
