package hook

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// event is the JSON object a hook reads on stdin; the keys are the Q
// CLI's (hooks.rs run_hook), snake_case.
type event struct {
	HookEventName string `json:"hook_event_name"`
	Cwd           string `json:"cwd"`
	// Prompt is a pointer so an empty prompt is still sent.
	Prompt       *string         `json:"prompt,omitempty"`
	ToolName     string          `json:"tool_name,omitempty"`
	ToolInput    json.RawMessage `json:"tool_input,omitempty"`
	ToolResponse *toolResponse   `json:"tool_response,omitempty"`
	// Stop events carry the session id and the assistant's last answer,
	// and whether a stop hook already made the turn go on (as the Kiro CLI
	// and Claude Code tell their stop hooks).
	SessionID         string  `json:"session_id,omitempty"`
	AssistantResponse *string `json:"assistant_response,omitempty"`
	StopHookActive    bool    `json:"stop_hook_active,omitempty"`
}

// stopAnswer is what a stop hook may print on stdout (exit 0) to make the
// agent go on: {"decision": "block", "reason": "..."}.
type stopAnswer struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// toolResponse is what postToolUse hooks learn of a result:
// {"success": true, "result": [...]} or {"success": false, "error": [...]}.
type toolResponse struct {
	Success bool  `json:"success"`
	Result  []any `json:"result,omitempty"`
	Error   []any `json:"error,omitempty"`
}

// ToolName is the name hooks see and matchers test: the built-in tool's
// name, or "@server/tool" with the server's own tool name for MCP tools.
func ToolName(c *agent.HookCall) string {
	if c.Server == "" {
		return c.Name
	}
	host := c.HostTool
	if host == "" {
		host = c.Name
	}
	return "@" + c.Server + "/" + host
}

// toolInput is the model's arguments; an absent input is an empty object.
func toolInput(in json.RawMessage) json.RawMessage {
	if len(strings.TrimSpace(string(in))) == 0 || !json.Valid(in) {
		return json.RawMessage(`{}`)
	}
	return in
}

// responseOf renders a result's blocks: text as strings, images by type.
func responseOf(r tool.Result) *toolResponse {
	blocks := []any{}
	for _, b := range r.Content {
		switch b.Type {
		case model.TextBlock:
			blocks = append(blocks, b.Text)
		case model.ImageBlock:
			blocks = append(blocks, map[string]string{"image": b.MediaType})
		}
	}
	if r.IsError {
		return &toolResponse{Success: false, Error: blocks}
	}
	return &toolResponse{Success: true, Result: blocks}
}

// maxPromptEnv caps USER_PROMPT, as the Q CLI does (4096 bytes).
const maxPromptEnv = 4096

// promptEnv is the prompt made safe for an environment variable: cut to
// 4096 bytes on a character boundary, control characters other than
// newline, carriage return and tab removed.
func promptEnv(p string) string {
	p = strings.ToValidUTF8(truncateUTF8(p, maxPromptEnv), "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return -1
		}
		return r
	}, p)
}

// withEnv returns environ with key=value set, replacing an earlier value.
func withEnv(environ []string, key, value string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}
