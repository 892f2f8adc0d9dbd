package agentcfg

import (
	"bytes"
	_ "embed"
	"encoding/json"
)

// schemaJSON is written by hand from the Q CLI's code, not copied from its
// published agent-v1.json, which is stale (it lists two hook triggers and
// requires "command" of HTTP servers).
//
//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON schema (draft-07) of the agent format, for
// `q agent schema` and `/agent schema`. The caller may keep the slice.
func Schema() []byte {
	return bytes.Clone(schemaJSON)
}

// fileForm is an agent as written to a file: every field present, in the
// order of the Q CLI's own files, so a new agent shows what can be set.
type fileForm struct {
	Schema           string                     `json:"$schema"`
	Name             string                     `json:"name"`
	Description      string                     `json:"description"`
	Prompt           *string                    `json:"prompt"`
	MCPServers       map[string]json.RawMessage `json:"mcpServers"`
	Tools            []string                   `json:"tools"`
	ToolAliases      map[string]string          `json:"toolAliases"`
	AllowedTools     []string                   `json:"allowedTools"`
	Resources        []string                   `json:"resources"`
	Hooks            map[Trigger][]HookSpec     `json:"hooks"`
	ToolsSettings    map[string]json.RawMessage `json:"toolsSettings"`
	UseLegacyMcpJSON bool                       `json:"useLegacyMcpJson"`
	Model            *string                    `json:"model"`
	// The Kiro CLI's fields, written only when set.
	IncludeMcpJSON   bool   `json:"includeMcpJson,omitempty"`
	WelcomeMessage   string `json:"welcomeMessage,omitempty"`
	KeyboardShortcut string `json:"keyboardShortcut,omitempty"`
}

// Marshal renders a as an indented agent file that Parse accepts, with
// empty lists and maps written out rather than left away. A prompt that
// came from a file is written inline.
func Marshal(a *Agent) ([]byte, error) {
	f := fileForm{
		Schema: a.Schema, Name: a.Name, Description: a.Description,
		MCPServers: a.MCPServers, Tools: a.Tools, ToolAliases: a.ToolAliases, AllowedTools: a.AllowedTools,
		Resources: a.Resources, Hooks: a.Hooks, ToolsSettings: a.ToolsSettings, UseLegacyMcpJSON: a.UseLegacyMcpJSON,
		IncludeMcpJSON: a.IncludeMcpJSON, WelcomeMessage: a.WelcomeMessage, KeyboardShortcut: a.KeyboardShortcut,
	}
	if f.Schema == "" {
		f.Schema = SchemaURL
	}
	if a.Prompt != "" {
		f.Prompt = &a.Prompt
	}
	if a.Model != "" {
		f.Model = &a.Model
	}
	f.MCPServers = orEmpty(f.MCPServers)
	f.ToolsSettings = orEmpty(f.ToolsSettings)
	f.ToolAliases = orEmpty(f.ToolAliases)
	f.Hooks = orEmpty(f.Hooks)
	for _, l := range []*[]string{&f.Tools, &f.AllowedTools, &f.Resources} {
		if *l == nil {
			*l = []string{}
		}
	}
	// Hook commands are shell text: "a > b" must stay readable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func orEmpty[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}
