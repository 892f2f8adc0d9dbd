// Package agentcfg loads agent files, the Q CLI's (.amazonq/cli-agents/*.json
// and ~/.aws/amazonq/cli-agents/*.json) and the Kiro CLI's (.kiro/agents/*.json
// and ~/.kiro/agents/*.json), validates them with errors that point at a line
// and column, and provides the built-in default agent.
package agentcfg

import (
	"encoding/json"
	"path/filepath"
)

// DefaultName is the built-in agent used when none is chosen.
const DefaultName = "q_cli_default"

// SchemaURL is the "$schema" value the Q CLI writes into new agent files.
const SchemaURL = "https://raw.githubusercontent.com/aws/amazon-q-developer-cli/refs/heads/main/schemas/agent-v1.json"

// DefaultResources are the context files of the built-in default agent:
// the Q CLI code's list (its docs omit AGENTS.md, the code has it), and
// the Kiro CLI's steering files, the workspace's and the user's, which
// play the part of .amazonq/rules there.
var DefaultResources = []string{"file://AmazonQ.md", "file://AGENTS.md", "file://README.md", "file://.amazonq/rules/**/*.md",
	"file://.kiro/steering/**/*.md", "file://~/.kiro/steering/**/*.md"}

// Agent is one agent file, with the fields of the Q CLI's agent format.
type Agent struct {
	Schema      string `json:"$schema,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Prompt is the agent's instructions; a "file://" value has been
	// replaced by the content of that file (relative to the agent file).
	Prompt string `json:"prompt,omitempty"`
	// MCPServers maps a server name to its configuration, kept raw for the
	// MCP client, which owns that format (Parse has checked its field types).
	MCPServers   map[string]json.RawMessage `json:"mcpServers,omitempty"`
	Tools        []string                   `json:"tools,omitempty"`
	ToolAliases  map[string]string          `json:"toolAliases,omitempty"`
	AllowedTools []string                   `json:"allowedTools,omitempty"`
	// Resources are context files, "file://" paths or globs.
	Resources []string               `json:"resources,omitempty"`
	Hooks     map[Trigger][]HookSpec `json:"hooks,omitempty"`
	// ToolsSettings maps a tool name to its settings object, kept raw for
	// the permission layer.
	ToolsSettings    map[string]json.RawMessage `json:"toolsSettings,omitempty"`
	UseLegacyMcpJSON bool                       `json:"useLegacyMcpJson,omitempty"`
	Model            string                     `json:"model,omitempty"`
	// IncludeMcpJSON is the Kiro CLI's name of UseLegacyMcpJSON.
	IncludeMcpJSON bool `json:"includeMcpJson,omitempty"`
	// WelcomeMessage is shown when an interactive session starts with, or
	// swaps to, the agent (a Kiro CLI field).
	WelcomeMessage string `json:"welcomeMessage,omitempty"`
	// KeyboardShortcut is the Kiro CLI's key for swapping to the agent;
	// qdev accepts it and binds nothing.
	KeyboardShortcut string `json:"keyboardShortcut,omitempty"`

	// Path is the file the agent came from, "" for the built-in default.
	Path string `json:"-"`
	// Shadowed are the files of the same name this one displaced, in
	// precedence order (Load): a workspace agent may displace the user's.
	Shadowed []*Agent `json:"-"`
	// Notes are harmless oddities Parse found (keys the Q CLI also ignores,
	// a resource without file://); `q agent validate` shows them.
	Notes []string `json:"-"`
	// Digest is the SHA-256 of the file's bytes, "" for the built-in
	// default: notes are shown once per version of a file.
	Digest string `json:"-"`
}

// Default returns the built-in q_cli_default agent: every tool, the default
// resources, legacy mcp.json servers, nothing pre-approved.
func Default() *Agent {
	return &Agent{
		Name:             DefaultName,
		Description:      "Default agent",
		Tools:            []string{"*"},
		Resources:        append([]string(nil), DefaultResources...),
		UseLegacyMcpJSON: true,
	}
}

// Location is the directory the agent file is in, or "(built-in)".
func (a *Agent) Location() string {
	if a.Path == "" {
		return "(built-in)"
	}
	return filepath.Dir(a.Path)
}

// GlobalDir is the directory of global agents under home.
func GlobalDir(home string) string {
	return filepath.Join(home, ".aws", "amazonq", "cli-agents")
}

// WorkspaceDir is the directory of workspace agents under dir.
func WorkspaceDir(dir string) string {
	return filepath.Join(dir, ".amazonq", "cli-agents")
}

// KiroGlobalDir is the Kiro CLI's directory of global agents under home.
func KiroGlobalDir(home string) string {
	return filepath.Join(home, ".kiro", "agents")
}

// KiroWorkspaceDir is the Kiro CLI's directory of workspace agents under dir.
func KiroWorkspaceDir(dir string) string {
	return filepath.Join(dir, ".kiro", "agents")
}

// Dirs returns the agent directories in precedence order: the
// workspace's before the user's (as in both CLIs), and at each level the
// Q CLI's before the Kiro CLI's. The workspace directories are skipped
// when cwd is the home directory, as in the Q CLI (there they would be
// the global directories' twins).
func Dirs(cwd, home string) []string {
	global := []string{GlobalDir(home), KiroGlobalDir(home)}
	if filepath.Clean(cwd) == filepath.Clean(home) {
		return global
	}
	return append([]string{WorkspaceDir(cwd), KiroWorkspaceDir(cwd)}, global...)
}

// IsGlobal reports whether the agent file at path is one of the user's
// global agents (not the workspace's, and not the built-in one).
func IsGlobal(path, home string) bool {
	if path == "" {
		return false
	}
	dir := filepath.Clean(filepath.Dir(path))
	return dir == filepath.Clean(GlobalDir(home)) || dir == filepath.Clean(KiroGlobalDir(home))
}
