package agent

import (
	"context"
	"encoding/json"

	"github.com/qdev/qdev/internal/tool"
)

// Hooks runs the agent file's hooks at the points of the turn loop where
// the Q CLI runs them. A nil Hooks runs nothing.
type Hooks interface {
	// UserPromptSubmit runs before a prompt is sent; what it returns is added
	// to that prompt as context.
	UserPromptSubmit(ctx context.Context, prompt string) string
	// PreToolUse runs before a call is judged; blocked stops the call and
	// reason goes to the model.
	PreToolUse(ctx context.Context, c *HookCall) (blocked bool, reason string)
	// PostToolUse runs after a call finished.
	PostToolUse(ctx context.Context, c *HookCall, r tool.Result)
	// Stop runs when the model ends its turn. block makes the agent go on
	// with reason as the next instruction instead of ending the turn.
	Stop(ctx context.Context, e StopEvent) (block bool, reason string)
}

// StopEvent is what stop hooks learn when the model ends its turn.
type StopEvent struct {
	// SessionID identifies the conversation.
	SessionID string
	// LastResponse is the text of the assistant's last answer.
	LastResponse string
	// Continuing is set when the turn already went on because a stop hook
	// blocked its end, so a hook can avoid asking forever.
	Continuing bool
}

// maxStopContinuations bounds how often stop hooks may keep one turn
// going: a hook that always blocks must not make the agent run forever.
const maxStopContinuations = 8

// HookCall is what hooks learn about a tool call.
type HookCall struct {
	// Name is the tool's name as the model sees it; Server and HostTool are
	// set for MCP tools ("@server/tool" in matchers).
	Name     string
	Server   string
	HostTool string
	Input    json.RawMessage
}
