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
	// Stop runs when the model ends its turn. A hook may ask the agent to
	// go on instead: cont is then true and reason is what the model is told.
	Stop(ctx context.Context, e StopEvent) (reason string, cont bool)
}

// StopEvent is what stop hooks learn about the turn that ended.
type StopEvent struct {
	// SessionID is the conversation's id.
	SessionID string
	// Response is the text of the assistant's last message.
	Response string
	// Continued is set when a stop hook already made this turn go on, so
	// a hook can avoid asking forever.
	Continued bool
}

// MaxStopContinues bounds how often stop hooks may make one turn go on.
const MaxStopContinues = 5

// HookCall is what hooks learn about a tool call.
type HookCall struct {
	// Name is the tool's name as the model sees it; Server and HostTool are
	// set for MCP tools ("@server/tool" in matchers).
	Name     string
	Server   string
	HostTool string
	Input    json.RawMessage
}
