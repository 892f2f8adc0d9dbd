package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// ErrInterrupted is returned when the user cancelled a turn (Ctrl-C).
var ErrInterrupted = errors.New("interrupted")

// Permissions decides tool calls; *permission.Checker implements it.
type Permissions interface {
	Decide(toolName, server string, acc tool.Access) permission.Decision
	Trust(names ...string) error
}

// Answer is the user's reply to an approval question.
type Answer int

// Approval answers, as the Q CLI's y / n / t.
const (
	Deny Answer = iota
	AllowOnce
	TrustSession
)

// Approver asks the user whether c may run. A non-nil error aborts the turn
// (it is how --no-interactive refuses to approve anything silently).
type Approver func(ctx context.Context, c *Call) (Answer, error)

// Kit is what an agent file makes of an agent: its instructions, the tools
// it may call, the permissions that judge them, its hooks and context. It
// is given to New and replaced as a whole by Equip (/agent swap).
type Kit struct {
	// System is the system prompt; Conversation.Summary is appended to it.
	System string
	Tools  []tool.Tool
	// MoreTools, if set, adds tools that can change during the session
	// (MCP servers finishing their start-up); it is read for every request.
	MoreTools   func() []tool.Tool
	Permissions Permissions
	// Hooks, if set, run at the Q CLI's hook points.
	Hooks Hooks
	// Context, if set, returns context (resource files, hook output) to add
	// to the system prompt; it is called for every request, so edits to
	// context files are seen at once, as in the Q CLI.
	Context func() string
}

// Options is what New builds an agent from.
type Options struct {
	Kit
	Provider model.Provider
	// ModelID is the provider's model id, without the "provider/" prefix.
	ModelID string
	Env     *tool.Env
	// Window is the model's input window in tokens.
	Window int
	// AutoCompactPercent of Window triggers compaction before a call; 0 disables it.
	AutoCompactPercent int
	MaxTokens          int
	Log                *slog.Logger
	// Audit, if set, records every tool call once it is decided and done,
	// refused calls included.
	Audit func(c *Call, r tool.Result)
	// AuditReady, if set, is called just before call c runs, to put its
	// intent on record; an error refuses the call, so nothing runs that
	// is not on record first.
	AuditReady func(c *Call) error
	// Conv is the conversation the agent continues; New starts an empty
	// one when it is nil.
	Conv *Conversation
	// Save persists the conversation; it is called whenever the history
	// grows. It runs in the background on a snapshot, one call at a time;
	// Turn returns only after the last one finished.
	Save func(*Conversation) error
	// Observer and Approve are the front end: what shows a turn and who
	// answers approval questions. Attach sets them when the front end is
	// made after the agent.
	Observer Observer
	Approve  Approver
}

// Agent runs turns of one conversation. It is not safe for concurrent use.
// What it is built from is fixed by New; the session changes it only
// through the methods below (Equip, SetModel, Attach, SetSaving), so every
// change is one that the agent knows about.
type Agent struct {
	o Options
	// saveOff stops saving while set (a tangent is not saved).
	saveOff bool
	saving  chan struct{} // closed when the save in flight is done
}

// New returns an agent built from o.
func New(o Options) *Agent {
	if o.Conv == nil {
		o.Conv = NewConversation("", "", "")
	}
	return &Agent{o: o}
}

// Equip replaces what the agent file configures (/agent swap, reloaded
// hooks); the conversation and the model stay.
func (a *Agent) Equip(k Kit) { a.o.Kit = k }

// Kit is what the agent is equipped with now.
func (a *Agent) Kit() Kit { return a.o.Kit }

// SetModel makes the agent call model id of p from the next request; a
// window above 0 replaces the context window.
func (a *Agent) SetModel(p model.Provider, id string, window int) {
	a.o.Provider, a.o.ModelID = p, id
	if window > 0 {
		a.o.Window = window
	}
}

// Attach makes obs show the agent's turns and approve answer its approval
// questions.
func (a *Agent) Attach(obs Observer, approve Approver) {
	a.o.Observer, a.o.Approve = obs, approve
}

// Approver answers the agent's approval questions (nil when nobody can);
// a tool that runs agents of its own (use_subagent) passes their questions
// on to it.
func (a *Agent) Approver() Approver { return a.o.Approve }

// SetSaving turns saving the conversation off or back on; what happens in
// between is never saved (a tangent).
func (a *Agent) SetSaving(on bool) {
	a.Flush()
	a.saveOff = !on
}

// Saving reports whether the conversation is saved as it grows.
func (a *Agent) Saving() bool { return a.o.Save != nil && !a.saveOff }

// Conversation is the conversation the agent continues. It is shared:
// /load and tangents replace its content in place.
func (a *Agent) Conversation() *Conversation { return a.o.Conv }

// Provider is the model provider the agent calls.
func (a *Agent) Provider() model.Provider { return a.o.Provider }

// ModelID is the provider's id of the model the agent calls.
func (a *Agent) ModelID() string { return a.o.ModelID }

// Env is what the agent's tools run with.
func (a *Agent) Env() *tool.Env { return a.o.Env }

// Window is the model's input window in tokens.
func (a *Agent) Window() int { return a.o.Window }

// System is the system prompt, without the context and summary added to
// each request.
func (a *Agent) System() string { return a.o.System }

// Permissions judges the agent's tool calls.
func (a *Agent) Permissions() Permissions { return a.o.Permissions }

// maxResultBytes caps what one tool result may add to the conversation, as
// the Q CLI's MAX_TOOL_RESPONSE_SIZE.
const maxResultBytes = 400_000

// Turn sends the user's message and runs the model ⇄ tools loop until the
// model ends its turn. On error the conversation stays consistent: partial
// answers are kept and every tool call is answered.
func (a *Agent) Turn(ctx context.Context, content []model.Block) error {
	defer a.Flush()
	if a.o.Hooks != nil {
		if extra := a.o.Hooks.UserPromptSubmit(ctx, promptText(content)); extra != "" {
			content = append(content, model.Block{Type: model.TextBlock, Text: "Additional context from hooks:\n" + extra})
		}
	}
	a.o.Conv.Messages = append(a.o.Conv.Messages, model.Message{Role: model.User, Content: content})
	a.save()
	overflowRetried := false
	continuations := 0
	for {
		if err := a.maybeCompact(ctx); err != nil {
			return err
		}
		resp, err := a.call(ctx)
		if err != nil {
			a.keepPartial(resp)
			if ctx.Err() != nil {
				return ErrInterrupted
			}
			if model.KindOf(err) == model.KindContextOverflow && !overflowRetried {
				overflowRetried = true
				a.observer().Notice("The conversation is larger than the model accepts; compacting and retrying.")
				if cerr := a.compact(ctx, "", true); cerr != nil {
					return fmt.Errorf("%w (and compaction failed: %v)", err, cerr)
				}
				continue
			}
			return err
		}
		a.o.Conv.Messages = append(a.o.Conv.Messages, resp.Message)
		a.o.Conv.LastMark = len(a.o.Conv.Messages)
		uses := resp.Message.ToolUses()
		if len(uses) == 0 {
			a.save()
			if a.o.Hooks == nil {
				return nil
			}
			block, reason := a.o.Hooks.Stop(ctx, StopEvent{SessionID: a.o.Conv.ID, LastResponse: resp.Message.Text(), Continuing: continuations > 0})
			if !block || reason == "" || ctx.Err() != nil {
				return nil
			}
			if continuations == maxStopContinuations {
				a.observer().Notice(fmt.Sprintf("A stop hook blocked the end of this turn %d times; ending it anyway.", continuations+1))
				return nil
			}
			continuations++
			a.observer().Notice("A stop hook asks to continue: " + reason)
			a.o.Conv.Messages = append(a.o.Conv.Messages, model.Message{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: reason}}})
			a.save()
			continue
		}
		// The calls and their results are saved together once the tools
		// have run: a crash in between loses only this round.
		results, err := a.runTools(ctx, uses)
		a.o.Conv.Messages = append(a.o.Conv.Messages, model.Message{Role: model.User, Content: results})
		a.save()
		if err != nil {
			return err
		}
	}
}

// call makes one model request from the current history.
func (a *Agent) call(ctx context.Context) (*model.Response, error) {
	req := a.request(a.o.Conv.Messages)
	obs := a.observer()
	start := time.Now()
	resp, err := a.o.Provider.Stream(ctx, req, func(e model.Event) {
		switch e.Type {
		case model.EventText:
			obs.Text(e.Text)
		case model.EventRetry:
			obs.Retry(e)
		}
	})
	a.logger().Debug("model call", "model", a.o.ModelID, "messages", len(req.Messages),
		"duration", time.Since(start), "err", err)
	if resp != nil {
		u := a.count(req, resp)
		a.o.Conv.LastInput = u.InputTokens + u.OutputTokens
		obs.Usage(u)
	} else {
		a.o.Conv.Turns++
	}
	return resp, err
}

// count adds one model call and its usage to the conversation's totals,
// estimating the usage when the provider reported none. Every call counts,
// compaction's summaries too, so /usage agrees with the provider's bill.
func (a *Agent) count(req *model.Request, resp *model.Response) model.Usage {
	a.o.Conv.Turns++
	u := resp.Usage
	if u.InputTokens == 0 && u.OutputTokens == 0 {
		u = model.EstimateUsage(req, resp.Message)
		resp.Usage = u
	}
	a.o.Conv.Usage.InputTokens += u.InputTokens
	a.o.Conv.Usage.OutputTokens += u.OutputTokens
	a.o.Conv.Usage.Estimated = a.o.Conv.Usage.Estimated || u.Estimated
	return u
}

func (a *Agent) request(msgs []model.Message) *model.Request {
	tools := a.AllTools()
	specs := make([]model.ToolSpec, 0, len(tools))
	for _, t := range tools {
		specs = append(specs, t.Spec())
	}
	system := a.o.System
	if a.o.Context != nil {
		if c := a.o.Context(); c != "" {
			system += "\n\n" + c
		}
	}
	if a.o.Conv.Summary != "" {
		system += "\n\n## Summary of the earlier conversation\n" + a.o.Conv.Summary
	}
	return &model.Request{Model: a.o.ModelID, System: system, Messages: normalize(repairPairs(msgs)),
		Tools: specs, MaxTokens: a.o.MaxTokens}
}

// AllTools returns the built-in and dynamic tools the model may call now.
func (a *Agent) AllTools() []tool.Tool {
	if a.o.MoreTools == nil {
		return a.o.Tools
	}
	return append(append([]tool.Tool(nil), a.o.Tools...), a.o.MoreTools()...)
}

func promptText(content []model.Block) string {
	for _, b := range content {
		if b.Type == model.TextBlock {
			return b.Text
		}
	}
	return ""
}

// keepPartial stores the text that arrived before a failure, so the user
// does not lose it and the model sees where it stopped.
func (a *Agent) keepPartial(resp *model.Response) {
	if resp == nil {
		return
	}
	text := resp.Message.Text()
	if text == "" {
		return
	}
	a.o.Conv.Messages = append(a.o.Conv.Messages, model.Message{Role: model.Assistant,
		Content: []model.Block{{Type: model.TextBlock, Text: text + "\n\n[response interrupted]"}}})
	a.save()
}

// save persists a snapshot of the conversation in the background, so the
// disk write overlaps the next model request instead of delaying it. Saves
// run one after another in the order they were asked for; the turn never
// waits for the previous one.
//
// The snapshot shares message values with the live conversation; that is
// safe because messages are only ever appended or replaced wholesale, never
// modified in place.
func (a *Agent) save() {
	if a.o.Save == nil || a.saveOff {
		return
	}
	snap := *a.o.Conv
	snap.Messages = a.o.Conv.Messages[:len(a.o.Conv.Messages):len(a.o.Conv.Messages)]
	prev, done := a.saving, make(chan struct{})
	a.saving = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if err := a.o.Save(&snap); err != nil {
			a.logger().Error("saving conversation", "err", err)
		}
	}()
}

// Flush waits until every save asked for so far is done.
func (a *Agent) Flush() {
	if a.saving != nil {
		<-a.saving
		a.saving = nil
	}
}

func (a *Agent) logger() *slog.Logger {
	if a.o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.o.Log
}

func (a *Agent) observer() Observer {
	if a.o.Observer == nil {
		return NopObserver{}
	}
	return a.o.Observer
}

// Observer receives what happens during a turn, for display.
type Observer interface {
	// Text is a piece of the model's answer.
	Text(delta string)
	// Retry reports a failed model call that will be repeated.
	Retry(e model.Event)
	// ToolCall is called once a call is validated, before it is judged.
	ToolCall(c *Call)
	// ToolOutput returns where the call's live output goes.
	ToolOutput(c *Call) io.Writer
	// ToolResult is called when the call finished or was refused.
	ToolResult(c *Call, r tool.Result)
	// Notice is a status message (compaction, refusals).
	Notice(msg string)
	// Usage is the token count of a model call.
	Usage(u model.Usage)
}

// NopObserver ignores everything.
type NopObserver struct{}

func (NopObserver) Text(string)                   {}
func (NopObserver) Retry(model.Event)             {}
func (NopObserver) ToolCall(*Call)                {}
func (NopObserver) ToolOutput(*Call) io.Writer    { return io.Discard }
func (NopObserver) ToolResult(*Call, tool.Result) {}
func (NopObserver) Notice(string)                 {}
func (NopObserver) Usage(model.Usage)             {}
