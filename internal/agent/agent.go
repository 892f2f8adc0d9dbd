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

// Config holds what the loop needs from the session.
type Config struct {
	Provider model.Provider
	// ModelID is the provider's model id, without the "provider/" prefix.
	ModelID string
	// System is the system prompt; Conversation.Summary is appended to it.
	System string
	Tools  []tool.Tool
	// MoreTools, if set, adds tools that can change during the session
	// (MCP servers finishing their start-up); it is read for every request.
	MoreTools   func() []tool.Tool
	Permissions Permissions
	Env         *tool.Env
	// Window is the model's input window in tokens.
	Window int
	// AutoCompactPercent of Window triggers compaction before a call; 0 disables it.
	AutoCompactPercent int
	MaxTokens          int
	Log                *slog.Logger
	// Hooks, if set, run at the Q CLI's hook points.
	Hooks Hooks
	// Audit, if set, records every tool call once it is decided and done,
	// refused calls included.
	Audit func(c *Call, r tool.Result)
	// AuditReady, if set, is called just before call c runs, to put its
	// intent on record; an error refuses the call, so nothing runs that
	// is not on record first.
	AuditReady func(c *Call) error
	// Context, if set, returns context (resource files, hook output) to add
	// to the system prompt; it is called for every request, so edits to
	// context files are seen at once, as in the Q CLI.
	Context func() string
}

// Agent runs turns of one conversation. It is not safe for concurrent use.
type Agent struct {
	Config
	Conv     *Conversation
	Observer Observer
	Approve  Approver
	// Save persists the conversation; it is called whenever the history grows.
	// It runs in the background on a snapshot, one call at a time; Turn
	// returns only after the last one finished.
	Save func(*Conversation) error

	saving chan struct{} // closed when the save in flight is done
}

// maxResultBytes caps what one tool result may add to the conversation, as
// the Q CLI's MAX_TOOL_RESPONSE_SIZE.
const maxResultBytes = 400_000

// Turn sends the user's message and runs the model ⇄ tools loop until the
// model ends its turn. On error the conversation stays consistent: partial
// answers are kept and every tool call is answered.
func (a *Agent) Turn(ctx context.Context, content []model.Block) error {
	defer a.Flush()
	if a.Hooks != nil {
		if extra := a.Hooks.UserPromptSubmit(ctx, promptText(content)); extra != "" {
			content = append(content, model.Block{Type: model.TextBlock, Text: "Additional context from hooks:\n" + extra})
		}
	}
	a.Conv.Messages = append(a.Conv.Messages, model.Message{Role: model.User, Content: content})
	a.save()
	overflowRetried := false
	continues := 0
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
		a.Conv.Messages = append(a.Conv.Messages, resp.Message)
		a.Conv.LastMark = len(a.Conv.Messages)
		uses := resp.Message.ToolUses()
		if len(uses) == 0 {
			a.save()
			if a.Hooks == nil {
				return nil
			}
			reason, cont := a.Hooks.Stop(ctx, StopEvent{SessionID: a.Conv.ID, Response: resp.Message.Text(), Continued: continues > 0})
			if !cont || ctx.Err() != nil {
				return nil
			}
			if continues == MaxStopContinues {
				a.observer().Notice(fmt.Sprintf("A stop hook asked to continue again; the turn ends after %d continuations.", MaxStopContinues))
				return nil
			}
			// A stop hook answered {"decision":"block"}: the model goes on
			// with the hook's reason as the user's next message.
			continues++
			a.observer().Notice("A stop hook asked to continue: " + reason)
			a.Conv.Messages = append(a.Conv.Messages, model.Message{Role: model.User,
				Content: []model.Block{{Type: model.TextBlock, Text: "A stop hook asked you to continue: " + reason}}})
			a.save()
			continue
		}
		// The calls and their results are saved together once the tools
		// have run: a crash in between loses only this round.
		results, err := a.runTools(ctx, uses)
		a.Conv.Messages = append(a.Conv.Messages, model.Message{Role: model.User, Content: results})
		a.save()
		if err != nil {
			return err
		}
	}
}

// call makes one model request from the current history.
func (a *Agent) call(ctx context.Context) (*model.Response, error) {
	req := a.request(a.Conv.Messages)
	obs := a.observer()
	start := time.Now()
	resp, err := a.Provider.Stream(ctx, req, func(e model.Event) {
		switch e.Type {
		case model.EventText:
			obs.Text(e.Text)
		case model.EventRetry:
			obs.Retry(e)
		}
	})
	a.Conv.Turns++
	a.logger().Debug("model call", "model", a.ModelID, "messages", len(req.Messages),
		"duration", time.Since(start), "err", err)
	if resp != nil {
		u := resp.Usage
		if u.InputTokens == 0 && u.OutputTokens == 0 {
			u = model.EstimateUsage(req, resp.Message)
			resp.Usage = u
		}
		a.Conv.Usage.InputTokens += u.InputTokens
		a.Conv.Usage.OutputTokens += u.OutputTokens
		a.Conv.Usage.Estimated = a.Conv.Usage.Estimated || u.Estimated
		a.Conv.LastInput = u.InputTokens + u.OutputTokens
		obs.Usage(u)
	}
	return resp, err
}

func (a *Agent) request(msgs []model.Message) *model.Request {
	tools := a.AllTools()
	specs := make([]model.ToolSpec, 0, len(tools))
	for _, t := range tools {
		specs = append(specs, t.Spec())
	}
	system := a.System
	if a.Context != nil {
		if c := a.Context(); c != "" {
			system += "\n\n" + c
		}
	}
	if a.Conv.Summary != "" {
		system += "\n\n## Summary of the earlier conversation\n" + a.Conv.Summary
	}
	return &model.Request{Model: a.ModelID, System: system, Messages: normalize(repairPairs(msgs)),
		Tools: specs, MaxTokens: a.MaxTokens}
}

// AllTools returns the built-in and dynamic tools the model may call now.
func (a *Agent) AllTools() []tool.Tool {
	if a.MoreTools == nil {
		return a.Tools
	}
	return append(append([]tool.Tool(nil), a.Tools...), a.MoreTools()...)
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
	a.Conv.Messages = append(a.Conv.Messages, model.Message{Role: model.Assistant,
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
	if a.Save == nil {
		return
	}
	snap := *a.Conv
	snap.Messages = a.Conv.Messages[:len(a.Conv.Messages):len(a.Conv.Messages)]
	prev, done := a.saving, make(chan struct{})
	a.saving = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if err := a.Save(&snap); err != nil {
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
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

func (a *Agent) observer() Observer {
	if a.Observer == nil {
		return NopObserver{}
	}
	return a.Observer
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
