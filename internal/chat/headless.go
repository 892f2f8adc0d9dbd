package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/checkpoint"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// Output formats of --no-interactive runs.
const (
	FormatText       = "text"
	FormatJSON       = "json"
	FormatStreamJSON = "stream-json"
)

// ErrApprovalRequired is returned when a --no-interactive run meets a tool
// call that would need the user's approval: nothing is approved silently.
var ErrApprovalRequired = errors.New("tool approval required but --no-interactive was specified")

// Headless runs one prompt without a user at the keyboard.
type Headless struct {
	Agent  *agent.Agent
	Out    io.Writer // the answer, or JSON
	Info   io.Writer // tool activity in text mode
	Format string
	// Wrap is the column to wrap a text answer at (--wrap); 0 does not wrap.
	Wrap int
	// Checkpoints, if set, records the workspace around the turn.
	Checkpoints *checkpoint.Store
}

// Result is the final record of a --no-interactive run (the json format,
// and the last line of stream-json).
type Result struct {
	Type           string      `json:"type"`
	Subtype        string      `json:"subtype"`
	IsError        bool        `json:"is_error"`
	Result         string      `json:"result"`
	Error          string      `json:"error,omitempty"`
	ConversationID string      `json:"conversation_id"`
	Model          string      `json:"model"`
	NumTurns       int         `json:"num_turns"`
	DurationMS     int64       `json:"duration_ms"`
	Usage          resultUsage `json:"usage"`
}

type resultUsage struct {
	InputTokens  int  `json:"input_tokens"`
	OutputTokens int  `json:"output_tokens"`
	Estimated    bool `json:"estimated,omitempty"`
}

// Run sends prompt and runs the turn to its end. The error is what made the
// run fail (the caller exits 1); it has already been reported in the chosen format.
func (h *Headless) Run(ctx context.Context, prompt string) error {
	start := time.Now()
	a := h.Agent
	conv := a.Conversation()
	turnsBefore := conv.Turns
	usageBefore := conv.Usage
	var obs agent.Observer
	var answer *answerRecorder
	switch h.Format {
	case FormatStreamJSON:
		sj := &streamJSON{enc: json.NewEncoder(h.Out)}
		sj.emit(map[string]any{"type": "init", "conversation_id": conv.ID, "model": conv.Model,
			"cwd": a.Env().Cwd, "tools": toolNames(a.AllTools())})
		answer = &answerRecorder{inner: sj}
		obs = answer
	case FormatJSON:
		answer = &answerRecorder{inner: agent.NopObserver{}}
		obs = answer
	default:
		answer = &answerRecorder{inner: newDisplay(h.Out, h.Info, false, func() (int, int) { return 0, h.Wrap }, nil)}
		obs = answer
	}
	a.Attach(obs, func(_ context.Context, c *agent.Call) (agent.Answer, error) {
		name := c.Name
		if c.Server != "" {
			name = "@" + c.Server + "/" + c.Name
		}
		return agent.Deny, fmt.Errorf("%w: %s needs approval (%s); allow it with --trust-tools=%s, --trust-all-tools or the agent's allowedTools",
			ErrApprovalRequired, c.Name, decisionWhy(c), name)
	})
	blocks, warnings := PromptBlocks(SanitizeUnicode(prompt), a.Env().Cwd)
	var err error
	if blocks == nil {
		err = errors.New(warnings[0])
	} else {
		cp := &checkpoints{store: h.Checkpoints, info: h.Info, quiet: h.Format != FormatText}
		start := len(conv.Messages)
		cp.before(ctx, conv.ID, prompt)
		err = a.Turn(ctx, blocks)
		cp.after(ctx, conv.ID, prompt, conv.Messages[min(start, len(conv.Messages)):])
	}
	if d, ok := answer.inner.(*display); ok {
		d.finish()
	}
	res := Result{Type: "result", Subtype: "success", Result: answer.last(), ConversationID: conv.ID,
		Model: conv.Model, NumTurns: conv.Turns - turnsBefore, DurationMS: time.Since(start).Milliseconds(),
		Usage: resultUsage{InputTokens: conv.Usage.InputTokens - usageBefore.InputTokens,
			OutputTokens: conv.Usage.OutputTokens - usageBefore.OutputTokens, Estimated: answer.estimated}}
	if err != nil {
		res.Subtype, res.IsError, res.Error = "error", true, err.Error()
	}
	switch h.Format {
	case FormatJSON:
		_ = json.NewEncoder(h.Out).Encode(res)
	case FormatStreamJSON:
		answer.inner.(*streamJSON).emit(res)
	}
	return err
}

func decisionWhy(c *agent.Call) string {
	if c.Decision.Rule != "" {
		return c.Decision.Rule
	}
	return "not trusted"
}

func toolNames(tools []tool.Tool) []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = t.Spec().Name
	}
	return out
}

// answerRecorder keeps the text of the latest model answer for the result.
type answerRecorder struct {
	inner     agent.Observer
	mu        sync.Mutex
	text      string
	fresh     bool
	estimated bool
}

func (r *answerRecorder) Text(d string) {
	r.mu.Lock()
	if r.fresh {
		r.text, r.fresh = "", false
	}
	r.text += d
	r.mu.Unlock()
	r.inner.Text(d)
}

func (r *answerRecorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text
}

func (r *answerRecorder) Retry(e model.Event) { r.inner.Retry(e) }
func (r *answerRecorder) ToolCall(c *agent.Call) {
	r.mu.Lock()
	r.fresh = true
	r.mu.Unlock()
	r.inner.ToolCall(c)
}
func (r *answerRecorder) ToolOutput(c *agent.Call) io.Writer        { return r.inner.ToolOutput(c) }
func (r *answerRecorder) ToolResult(c *agent.Call, res tool.Result) { r.inner.ToolResult(c, res) }
func (r *answerRecorder) Notice(m string)                           { r.inner.Notice(m) }
func (r *answerRecorder) Usage(u model.Usage) {
	r.mu.Lock()
	r.estimated = r.estimated || u.Estimated
	r.mu.Unlock()
	r.inner.Usage(u)
}

// streamJSON writes one JSON event per line.
type streamJSON struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (s *streamJSON) emit(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.enc.Encode(v)
}

func (s *streamJSON) Text(d string) { s.emit(map[string]any{"type": "text", "text": d}) }
func (s *streamJSON) Retry(e model.Event) {
	s.emit(map[string]any{"type": "retry", "attempt": e.Attempt, "wait_seconds": e.Wait, "error": e.Err.Error()})
}
func (s *streamJSON) ToolCall(c *agent.Call) {
	s.emit(map[string]any{"type": "tool_use", "id": c.ID, "name": c.Name, "input": c.Input})
}
func (s *streamJSON) ToolOutput(*agent.Call) io.Writer { return io.Discard }
func (s *streamJSON) ToolResult(c *agent.Call, r tool.Result) {
	text := ""
	for _, b := range r.Content {
		text += b.Text
	}
	s.emit(map[string]any{"type": "tool_result", "id": c.ID, "name": c.Name, "is_error": r.IsError,
		"approval": c.Approval.String(), "exit_status": r.ExitStatus, "duration_ms": float64(r.Duration.Microseconds()) / 1000, "output": text})
}
func (s *streamJSON) Notice(m string) { s.emit(map[string]any{"type": "notice", "message": m}) }
func (s *streamJSON) Usage(u model.Usage) {
	s.emit(map[string]any{"type": "usage", "input_tokens": u.InputTokens, "output_tokens": u.OutputTokens, "estimated": u.Estimated})
}
