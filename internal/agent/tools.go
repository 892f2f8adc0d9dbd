package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Call is one tool call as it moves through validation, judgement and execution.
type Call struct {
	ID    string
	Name  string
	Input json.RawMessage
	// Server is the MCP server of the tool, "" for built-in tools.
	Server string
	Tool   tool.Tool
	Inv    tool.Invocation
	// Decision is the permission layer's verdict.
	Decision permission.Decision
	// Approval says how the call came to run or not.
	Approval Approval
	// Feedback is what the user typed instead of y/n/t; it goes to the model with the refusal.
	Feedback string
}

// Server is implemented by tools that come from an MCP server.
type Server interface {
	Server() (server, hostTool string)
}

// runTools executes the calls of one model answer in order, as the Q CLI
// does, and returns one tool_result block per call. A returned error ends the
// turn; the results are still complete, so the conversation stays valid.
func (a *Agent) runTools(ctx context.Context, uses []model.Block) ([]model.Block, error) {
	results := make([]model.Block, 0, len(uses))
	var stop error
	for _, u := range uses {
		if stop != nil {
			results = append(results, resultBlock(u.ToolUseID, "Not run: "+stop.Error(), true))
			continue
		}
		c, res, err := a.runOne(ctx, u)
		a.observer().ToolResult(c, res)
		if a.o.Audit != nil {
			a.o.Audit(c, res)
		}
		results = append(results, model.Block{Type: model.ToolResultBlock, ToolUseID: u.ToolUseID,
			IsError: res.IsError, Content: capContent(res.Content)})
		if err != nil {
			stop = err
		}
	}
	if stop != nil && ctx.Err() != nil {
		return results, ErrInterrupted
	}
	return results, stop
}

// runOne validates, judges and runs one call. The returned error, if any,
// ends the turn (interrupt, or an approval that could not be asked).
func (a *Agent) runOne(ctx context.Context, u model.Block) (*Call, tool.Result, error) {
	c := &Call{ID: u.ToolUseID, Name: u.Name, Input: u.Input}
	fail := func(msg string) (*Call, tool.Result, error) { return c, tool.ErrorResult(msg), nil }
	if u.RawInput != "" {
		return fail(fmt.Sprintf("The input of %s was not valid JSON (%s). Send the arguments again as one JSON object matching the tool's schema.", u.Name, jsonProblem(u.RawInput)))
	}
	t := a.lookup(u.Name)
	if t == nil {
		return fail(fmt.Sprintf("No tool with %q is found. Available tools: %s.", u.Name, a.toolNames()))
	}
	c.Tool = t
	hostName := u.Name
	if s, ok := t.(Server); ok {
		c.Server, hostName = s.Server()
	}
	inv, err := t.Prepare(a.o.Env, u.Input)
	if err != nil {
		return fail(fmt.Sprintf("Invalid %s call: %v", u.Name, err))
	}
	c.Inv = inv
	hc := &HookCall{Name: u.Name, Server: c.Server, HostTool: hostName, Input: u.Input}
	if a.o.Hooks != nil {
		// As in the Q CLI, preToolUse runs before the permission check, so a
		// blocking hook pre-empts the approval question.
		if blocked, reason := a.o.Hooks.PreToolUse(ctx, hc); blocked {
			c.Approval = BlockedByHook
			return fail("PreToolHook blocked the tool execution: " + reason)
		}
	}
	a.observer().ToolCall(c)
	c.Decision = a.o.Permissions.Decide(hostName, c.Server, inv.Access())
	a.logger().Info("tool decision", "tool", u.Name, "server", c.Server, "decision", c.Decision.Kind.String(), "rule", c.Decision.Rule)
	switch c.Decision.Kind {
	case permission.Deny:
		c.Approval = DeniedByRule
		return fail(fmt.Sprintf("Tool use with %s was rejected: %s", u.Name, explain(c.Decision)))
	case permission.Allow:
		c.Approval = AllowedByRule
	case permission.Ask:
		ans, err := a.o.Approve(ctx, c)
		if err != nil {
			c.Approval = NotApproved
			return c, tool.ErrorResult("Not run: " + err.Error()), err
		}
		switch ans {
		case Deny:
			c.Approval = DeniedByUser
			if c.Feedback != "" {
				return fail("The user denied this tool call and said: " + c.Feedback)
			}
			return fail("The user denied this tool call. Ask a follow-up question to clarify what they expect.")
		case TrustSession:
			name := u.Name
			if c.Server != "" {
				name = "@" + c.Server + "/" + hostName
			}
			if err := a.o.Permissions.Trust(name); err != nil {
				// The answer still approves this call; only the trust
				// for later calls is refused (e.g. by disableTrustAll).
				a.observer().Notice(fmt.Sprintf("%s runs this once, not trusted for the session: %v", u.Name, err))
				c.Approval = AllowedOnce
				break
			}
			c.Approval = TrustedForSession
		default:
			c.Approval = AllowedOnce
		}
	}
	if a.o.AuditReady != nil {
		if err := a.o.AuditReady(c); err != nil {
			return fail("Not run: " + err.Error())
		}
	}
	start := time.Now()
	res := inv.Run(ctx, a.observer().ToolOutput(c))
	if res.Duration == 0 {
		res.Duration = time.Since(start)
	}
	if ctx.Err() != nil || res.Interrupted {
		return c, tool.ErrorResult("The user interrupted the tool execution."), ErrInterrupted
	}
	if a.o.Hooks != nil {
		a.o.Hooks.PostToolUse(ctx, hc, res)
	}
	a.logger().Info("tool result", "tool", u.Name, "approval", c.Approval.String(), "error", res.IsError,
		"exit", res.ExitStatus, "duration", res.Duration, "bytes", res.OutputBytes)
	return c, res, nil
}

func (a *Agent) lookup(name string) tool.Tool {
	for _, t := range a.AllTools() {
		if t.Spec().Name == name {
			return t
		}
	}
	return nil
}

func (a *Agent) toolNames() string {
	s := ""
	for i, t := range a.AllTools() {
		if i > 0 {
			s += ", "
		}
		s += t.Spec().Name
	}
	return s
}

// capContent keeps a tool result within maxResultBytes of text, so one
// runaway output cannot fill the model's window.
func capContent(blocks []model.Block) []model.Block {
	total := 0
	out := make([]model.Block, 0, len(blocks))
	for _, b := range blocks {
		if b.Type == model.TextBlock {
			if left := maxResultBytes - total; len(b.Text) > left {
				b.Text = b.Text[:max(left, 0)] + " ... truncated"
			}
			total += len(b.Text)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		out = append(out, model.Block{Type: model.TextBlock, Text: "(no output)"})
	}
	return out
}

// jsonProblem names what is wrong with malformed JSON in a short phrase.
func jsonProblem(raw string) string {
	var v any
	err := json.Unmarshal([]byte(raw), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	if err != nil {
		return err.Error()
	}
	return "not a JSON object"
}

// explain renders a decision's rule and reasons in one line.
func explain(d permission.Decision) string {
	s := d.Rule
	for i, r := range d.Reasons {
		if i == 0 && s != "" {
			s += ": "
		} else if i > 0 {
			s += ", "
		}
		s += r
	}
	if s == "" {
		s = "denied by configuration"
	}
	return s
}
