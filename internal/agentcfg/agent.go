// Package agentcfg loads Q CLI agent files (.amazonq/cli-agents/*.json and
// ~/.aws/amazonq/cli-agents/*.json) and provides the built-in default agent.
package agentcfg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultName is the built-in agent used when none is chosen.
const DefaultName = "q_cli_default"

// Agent is one agent file, with the fields of the Q CLI's agent format.
type Agent struct {
	Schema           string                     `json:"$schema,omitempty"`
	Name             string                     `json:"name"`
	Description      string                     `json:"description,omitempty"`
	Prompt           string                     `json:"prompt,omitempty"`
	MCPServers       map[string]json.RawMessage `json:"mcpServers,omitempty"`
	Tools            []string                   `json:"tools,omitempty"`
	ToolAliases      map[string]string          `json:"toolAliases,omitempty"`
	AllowedTools     []string                   `json:"allowedTools,omitempty"`
	Resources        []string                   `json:"resources,omitempty"`
	Hooks            map[string]json.RawMessage `json:"hooks,omitempty"`
	ToolsSettings    map[string]json.RawMessage `json:"toolsSettings,omitempty"`
	UseLegacyMcpJSON bool                       `json:"useLegacyMcpJson,omitempty"`
	Model            string                     `json:"model,omitempty"`

	// Path is the file the agent came from, "" for the built-in default.
	Path string `json:"-"`
}

// Default returns the built-in q_cli_default agent.
func Default() *Agent {
	return &Agent{
		Name:             DefaultName,
		Description:      "Default agent",
		Tools:            []string{"*"},
		Resources:        []string{"file://AmazonQ.md", "file://AGENTS.md", "file://README.md", "file://.amazonq/rules/**/*.md"},
		UseLegacyMcpJSON: true,
	}
}

// Dirs returns the agent directories, workspace first. The workspace
// directory is skipped when cwd is the home directory, as in the Q CLI.
func Dirs(cwd, home string) []string {
	global := filepath.Join(home, ".aws", "amazonq", "cli-agents")
	if filepath.Clean(cwd) == filepath.Clean(home) {
		return []string{global}
	}
	return []string{filepath.Join(cwd, ".amazonq", "cli-agents"), global}
}

// Parse decodes one agent file. Unknown keys are errors, as in the original.
func Parse(path string, data []byte) (*Agent, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var a Agent
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%s: %s", path, describeJSONError(data, err))
	}
	if strings.TrimSpace(a.Name) == "" {
		return nil, fmt.Errorf("%s: missing required field \"name\"", path)
	}
	a.Path = path
	if p, ok := strings.CutPrefix(a.Prompt, "file://"); ok {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: prompt: %v", path, err)
		}
		a.Prompt = string(b)
	}
	return &a, nil
}

// Load finds the agent called name in dirs (earlier directories win). An
// empty name or "q_cli_default" without a file of that name gives the
// built-in default. Files that fail to parse are reported in warnings and
// skipped, never fatal.
func Load(dirs []string, name string) (a *Agent, warnings []string) {
	if name == "" {
		name = DefaultName
	}
	all, warnings := LoadAll(dirs)
	for _, ag := range all {
		if ag.Name == name {
			return ag, warnings
		}
	}
	if name != DefaultName {
		warnings = append(warnings, fmt.Sprintf("agent %q not found; using %s", name, DefaultName))
	}
	for _, ag := range all {
		if ag.Name == DefaultName {
			return ag, warnings
		}
	}
	return Default(), warnings
}

// LoadAll reads every agent in dirs; on a name clash the earlier directory wins.
func LoadAll(dirs []string) ([]*Agent, []string) {
	var out []*Agent
	var warnings []string
	seen := map[string]string{}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				warnings = append(warnings, err.Error())
				continue
			}
			a, err := Parse(f, data)
			if err != nil {
				warnings = append(warnings, err.Error())
				continue
			}
			if prev, dup := seen[a.Name]; dup {
				warnings = append(warnings, fmt.Sprintf("agent %q in %s is shadowed by %s", a.Name, f, prev))
				continue
			}
			seen[a.Name] = f
			out = append(out, a)
		}
	}
	return out, warnings
}

// describeJSONError turns a decoding error into "line:col: what".
func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		l, c := position(data, se.Offset)
		return fmt.Sprintf("%d:%d: %v", l, c, se)
	case errors.As(err, &te):
		l, c := position(data, te.Offset)
		return fmt.Sprintf("%d:%d: field %q: expected %s, got %s", l, c, te.Field, te.Type, te.Value)
	}
	return err.Error()
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
