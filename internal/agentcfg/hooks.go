package agentcfg

import "encoding/json"

// Trigger names the point at which a hook runs (the agent file's key).
type Trigger string

// The hook triggers of the Q CLI agent format.
const (
	AgentSpawn       Trigger = "agentSpawn"
	UserPromptSubmit Trigger = "userPromptSubmit"
	PreToolUse       Trigger = "preToolUse"
	PostToolUse      Trigger = "postToolUse"
	Stop             Trigger = "stop"
)

// Triggers lists every trigger in the order the Q CLI documents them.
var Triggers = []Trigger{AgentSpawn, UserPromptSubmit, PreToolUse, PostToolUse, Stop}

// Valid reports whether t is one of Triggers.
func (t Trigger) Valid() bool {
	for _, k := range Triggers {
		if t == k {
			return true
		}
	}
	return false
}

// ToolTrigger reports whether hooks of t see a tool call (and so use matchers).
func (t Trigger) ToolTrigger() bool { return t == PreToolUse || t == PostToolUse }

// Hook defaults, as in the Q CLI (hook.rs).
const (
	DefaultTimeoutMS     = 30_000
	DefaultMaxOutputSize = 10 * 1024
)

// HookSpec is one hook of an agent file. Its JSON keys are snake_case while
// the agent's are camelCase: the Q CLI's Hook type has no rename rule.
type HookSpec struct {
	Command string `json:"command"`
	// TimeoutMS is how long the command may run before it is killed.
	TimeoutMS int64 `json:"timeout_ms"`
	// MaxOutputSize caps the captured output, in bytes.
	MaxOutputSize int64 `json:"max_output_size"`
	// CacheTTLSeconds keeps a successful output for that long (0: never).
	CacheTTLSeconds int64 `json:"cache_ttl_seconds"`
	// Matcher selects the tools a preToolUse/postToolUse hook runs for:
	// "" or "*" all, "@builtin", "@server", "@server/tool", or a glob.
	Matcher string `json:"matcher,omitempty"`
}

// NewHook returns a hook running command with the default limits.
func NewHook(command string) HookSpec {
	return HookSpec{Command: command, TimeoutMS: DefaultTimeoutMS, MaxOutputSize: DefaultMaxOutputSize}
}

// UnmarshalJSON fills absent limits with their defaults, so a hook written
// as {"command": "git status"} gets the Q CLI's 30 s and 10 KiB.
func (h *HookSpec) UnmarshalJSON(data []byte) error {
	var raw struct {
		Command         string  `json:"command"`
		TimeoutMS       *int64  `json:"timeout_ms"`
		MaxOutputSize   *int64  `json:"max_output_size"`
		CacheTTLSeconds *int64  `json:"cache_ttl_seconds"`
		Matcher         *string `json:"matcher"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*h = NewHook(raw.Command)
	if raw.TimeoutMS != nil {
		h.TimeoutMS = *raw.TimeoutMS
	}
	if raw.MaxOutputSize != nil {
		h.MaxOutputSize = *raw.MaxOutputSize
	}
	if raw.CacheTTLSeconds != nil {
		h.CacheTTLSeconds = *raw.CacheTTLSeconds
	}
	if raw.Matcher != nil {
		h.Matcher = *raw.Matcher
	}
	return nil
}
