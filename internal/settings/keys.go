package settings

import (
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/paths"
)

// Type is the JSON type a setting's value must have.
type Type int

// Setting value types.
const (
	Bool Type = iota
	Int
	String
	Array
	Object
)

// String returns the type's name as shown to users.
func (t Type) String() string {
	switch t {
	case Bool:
		return "boolean"
	case Int:
		return "integer"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "unknown"
}

// KeyInfo describes one known setting.
type KeyInfo struct {
	Name        string
	Type        Type
	Description string
	// Default is the value in effect when the key is unset, nil when the
	// feature that reads it decides (for instance the model's own window).
	Default any
	// Values lists the accepted values of a String key; empty means any.
	Values []string
	// Min and Max bound an Int key: values below Min (0 unless set) are
	// rejected, and above Max unless Max is 0.
	Min, Max int64
	// Check, when set, vets a String value that Set stores, beyond its
	// type (a file that must exist). Values read from the file are not
	// checked here: the feature that uses the key reports them.
	Check func(string) error
}

// known lists every setting of the Q CLI (its database/settings.rs) plus
// qdev's own. Keep it sorted by name; docs/settings.md mirrors it.
var known = []KeyInfo{
	{Name: "api.codewhisperer.service", Type: Object, Description: `Override of the CodeWhisperer service endpoint: {"endpoint": URL, "region": REGION}.`},
	{Name: "api.q.service", Type: Object, Description: `Override of the Q service endpoint: {"endpoint": URL, "region": REGION}.`},
	{Name: "api.timeout", Type: Int, Default: int64(300000), Description: "Timeout of one model API request, in milliseconds."},
	{Name: "autocomplete.disable", Type: Bool, Default: false, Description: "Disable the shell autocomplete dropdown."},
	{Name: "chat.autoCompactPercent", Type: Int, Default: int64(80), Min: 1, Max: 100, Description: "Compact the conversation automatically when it fills this percentage of the context window."},
	{Name: "chat.autocompletionKey", Type: String, Default: "g", Description: "Key that, with Ctrl, accepts the history hint shown at the prompt."},
	{Name: "chat.contextWindow", Type: Int, Min: 1, Description: "Context window in tokens, overriding the model's own."},
	{Name: "chat.defaultAgent", Type: String, Default: "q_cli_default", Description: "Agent used by new chat sessions when --agent is not given."},
	{Name: "chat.defaultModel", Type: String, Description: "Model of new chat sessions (provider/model, e.g. openai/gpt-4o) when neither --model nor the agent names one."},
	{Name: "chat.delegateModeKey", Type: String, Description: "Key that, with Ctrl, inserts /delegate at the prompt."},
	{Name: "chat.disableAutoCompaction", Type: Bool, Default: false, Description: "Never compact the conversation automatically."},
	{Name: "chat.disableMarkdownRendering", Type: Bool, Default: false, Description: "Print responses as raw Markdown instead of rendering them."},
	{Name: "chat.editMode", Type: String, Default: "emacs", Values: []string{"emacs", "vi"}, Description: "Key bindings of the chat prompt."},
	{Name: "chat.enableCheckpoint", Type: Bool, Default: false, Description: "Enable workspace checkpoints (/checkpoint)."},
	{Name: "chat.enableContextUsageIndicator", Type: Bool, Default: false, Description: "Show the context window usage percentage in the prompt."},
	{Name: "chat.enableDelegate", Type: Bool, Default: false, Description: "Enable the use_subagent tool, which hands tasks to other agents running in parallel."},
	{Name: "chat.enableHistoryHints", Type: Bool, Default: false, Description: "Suggest earlier inputs as hints while typing."},
	{Name: "chat.enableKnowledge", Type: Bool, Default: false, Description: "Enable knowledge bases (/knowledge)."},
	{Name: "chat.enableNotifications", Type: Bool, Default: false, Description: "Send a desktop notification when a response or an approval request is ready."},
	{Name: "chat.enableTangentMode", Type: Bool, Default: false, Description: "Enable tangent mode (/tangent, Ctrl-T)."},
	{Name: "chat.enableThinking", Type: Bool, Default: false, Description: "Enable the thinking tool for multi-step reasoning."},
	{Name: "chat.enableTodoList", Type: Bool, Default: false, Description: "Enable the todo_list tool and /todos."},
	{Name: "chat.greeting.enabled", Type: Bool, Default: true, Description: "Show the greeting when a chat session starts."},
	{Name: "chat.skimCommandKey", Type: String, Description: "Key that, with Ctrl, opens the fuzzy command picker."},
	{Name: "chat.tangentModeKey", Type: String, Default: "t", Description: "Key that, with Ctrl, toggles tangent mode."},
	{Name: "chat.uiMode", Type: String, Description: "User interface variant of the chat session."},
	{Name: "codeWhisperer.shareCodeWhispererContentWithAWS", Type: Bool, Default: true, Description: "Allow your content to be used to improve the service (false opts out)."},
	{Name: "introspect.tangentMode", Type: Bool, Default: false, Description: "Answer questions about qdev itself in tangent mode."},
	{Name: "knowledge.chunkOverlap", Type: Int, Description: "Words shared by consecutive chunks when indexing a knowledge base (default: a quarter of the chunk size, at most 128)."},
	{Name: "knowledge.chunkSize", Type: Int, Min: 1, Description: "Words in each text chunk a knowledge base is indexed in (default 512)."},
	{Name: "knowledge.defaultExcludePatterns", Type: Array, Description: "Glob patterns of files left out of new knowledge bases."},
	{Name: "knowledge.defaultIncludePatterns", Type: Array, Description: "Glob patterns of files included in new knowledge bases."},
	{Name: "knowledge.indexType", Type: String, Default: "Fast", Values: []string{"Fast", "Best"}, Description: "Index type of new knowledge bases: Fast (lexical) or Best (semantic)."},
	{Name: "knowledge.maxFiles", Type: Int, Min: 1, Description: "Most files indexed into one knowledge base (default 10000)."},
	{Name: "mcp.initTimeout", Type: Int, Default: int64(5000), Description: "Milliseconds an interactive session waits for MCP servers before showing the prompt."},
	{Name: "mcp.loadedBefore", Type: Bool, Default: false, Description: "Set by qdev once MCP servers have loaded; hides the first-run notice."},
	{Name: "mcp.noInteractiveTimeout", Type: Int, Default: int64(30000), Description: "Milliseconds a --no-interactive run waits for MCP servers to load."},
	{Name: "network.caBundle", Type: String, Check: checkCABundle, Description: "PEM file of certificate authorities trusted besides the system's (a corporate proxy's), for models, MCP servers and the aws CLI: an absolute path, or one starting with ~/."},
	{Name: "sandbox.mode", Type: String, Default: "workspace-write", Values: []string{"workspace-write", "read-only", "off"}, Description: "Landlock sandbox of execute_bash commands: write to the workspace, temp dir and sandbox.writablePaths only, write nowhere, or off (managed settings may require it)."},
	{Name: "sandbox.network", Type: Bool, Default: true, Description: "Let sandboxed commands use the network (managed settings may forbid it)."},
	{Name: "sandbox.writablePaths", Type: Array, Description: "Extra paths sandboxed commands may write to, e.g. build caches."},
	{Name: "telemetry.enabled", Type: Bool, Default: true, Description: "Send usage telemetry (also off when Q_DISABLE_TELEMETRY is set)."},
	{Name: "telemetryClientId", Type: String, Description: "Telemetry client id kept from older versions."},
}

func checkCABundle(v string) error { return netconf.CheckBundle(v, paths.Home()) }

// Keys returns the descriptions of all known settings, sorted by name. The
// slice is a copy the caller may modify.
func Keys() []KeyInfo {
	return slices.Clone(known)
}

// Lookup returns the description of a known setting.
func Lookup(name string) (KeyInfo, bool) {
	i, ok := slices.BinarySearchFunc(known, name, func(k KeyInfo, n string) int {
		return strings.Compare(k.Name, n)
	})
	if !ok {
		return KeyInfo{}, false
	}
	return known[i], true
}
