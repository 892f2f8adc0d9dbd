package mcp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// GlobalConfigPath returns the global legacy file, ~/.aws/amazonq/mcp.json.
func GlobalConfigPath(home string) string {
	return filepath.Join(home, ".aws", "amazonq", "mcp.json")
}

// WorkspaceConfigPath returns the workspace legacy file, <cwd>/.amazonq/mcp.json.
func WorkspaceConfigPath(cwd string) string {
	return filepath.Join(cwd, ".amazonq", "mcp.json")
}

// KiroGlobalConfigPath returns the Kiro CLI's user file, ~/.kiro/settings/mcp.json.
func KiroGlobalConfigPath(home string) string {
	return filepath.Join(home, ".kiro", "settings", "mcp.json")
}

// KiroWorkspaceConfigPath returns the Kiro CLI's workspace file,
// <cwd>/.kiro/settings/mcp.json.
func KiroWorkspaceConfigPath(cwd string) string {
	return filepath.Join(cwd, ".kiro", "settings", "mcp.json")
}

// ConfigPaths returns the mcp.json files an agent with useLegacyMcpJson
// (or the Kiro CLI's includeMcpJson) reads, the one that wins last: the
// workspace's files win over the user's, and at each level the Q CLI's
// file wins over the Kiro CLI's. In the home directory the Kiro CLI's
// workspace file is its user file, read once.
func ConfigPaths(cwd, home string) []string {
	return append([]string{KiroGlobalConfigPath(home), GlobalConfigPath(home)}, WorkspaceConfigPaths(cwd, home)...)
}

// WorkspaceConfigPaths returns the workspace's files among ConfigPaths, in
// the same order: those a repository can ship, which the workspace trust
// gate judges. There are none without a workspace (cwd ""), and in the
// home directory the Kiro CLI's workspace file is its user file, so only
// .amazonq/mcp.json counts.
func WorkspaceConfigPaths(cwd, home string) []string {
	if cwd == "" {
		return nil
	}
	if filepath.Clean(cwd) == filepath.Clean(home) {
		return []string{WorkspaceConfigPath(cwd)}
	}
	return []string{KiroWorkspaceConfigPath(cwd), WorkspaceConfigPath(cwd)}
}

// Warning is a problem found while collecting servers, for the user.
type Warning struct {
	Msg string
	// File and Digest are set for an attribute qdev ignores in an
	// mcp.json file: such a warning is worth showing once per version of
	// the file (Digest is the SHA-256 of its bytes), not at every start.
	File, Digest string
}

func (w Warning) String() string { return w.Msg }

// ReadConfigFile reads an mcp.json file ({"mcpServers": {...}}). A missing
// file yields no servers and no error; a file that is not valid JSON, or
// whose mcpServers is not an object, is an error naming the file.
func ReadConfigFile(path string) (map[string]json.RawMessage, []string, error) {
	out, warnings, _, err := readConfigFile(path)
	return out, warnings, err
}

// readConfigFile is ReadConfigFile also returning the file's digest.
func readConfigFile(path string) (map[string]json.RawMessage, []string, string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, "", nil
	}
	if err != nil {
		return nil, nil, "", err
	}
	f, err := parseConfigFile(path, data)
	if err != nil {
		return nil, nil, "", err
	}
	out := make(map[string]json.RawMessage, len(f.servers.members))
	for _, m := range f.servers.members {
		out[m.Key] = m.Value
	}
	var warnings []string
	for _, d := range f.dups {
		warnings = append(warnings, fmt.Sprintf("%s: server %q is defined more than once; the last definition is used", path, d))
	}
	sum := sha256.Sum256(data)
	return out, warnings, hex.EncodeToString(sum[:]), nil
}

// Collect gathers the servers a session should start: the agent's
// mcpServers and, when useLegacy is set (the agent's useLegacyMcpJson or
// includeMcpJson), the mcp.json files of ConfigPaths. A later file wins
// over an earlier one, and the agent over all, each time with a warning
// (the Q CLI's Agent::thaw keeps the agent's own entry). The result is
// sorted by name; warnings name the file and server. Attributes qdev
// ignores in the agent's own entries are not warned about here: the agent
// file's notes say so.
func Collect(agentServers map[string]json.RawMessage, useLegacy bool, cwd, home string) ([]ServerConfig, []Warning) {
	byName := map[string]ServerConfig{}
	var warnings []Warning
	for _, name := range sortedKeys(agentServers) {
		cfg, _, err := ParseServer(name, agentServers[name])
		if err != nil {
			warnings = append(warnings, Warning{Msg: fmt.Sprintf("agent: server %q: %v; skipped", name, err)})
			continue
		}
		cfg.Source = "agent"
		byName[name] = cfg
	}
	if useLegacy {
		legacy := map[string]ServerConfig{}
		for _, path := range ConfigPaths(cwd, home) {
			raw, warns, digest, err := readConfigFile(path)
			for _, w := range warns {
				warnings = append(warnings, Warning{Msg: w})
			}
			if err != nil {
				warnings = append(warnings, Warning{Msg: fmt.Sprintf("%s: %v; file ignored", path, err)})
				continue
			}
			for _, name := range sortedKeys(raw) {
				s, ignored, err := ParseServer(name, raw[name])
				for _, w := range ignored {
					warnings = append(warnings, Warning{Msg: fmt.Sprintf("%s: server %q: %s", path, name, w), File: path, Digest: digest})
				}
				if err != nil {
					warnings = append(warnings, Warning{Msg: fmt.Sprintf("%s: server %q: %v; skipped", path, name, err)})
					continue
				}
				s.Source = path
				if prev, ok := legacy[s.Name]; ok {
					warnings = append(warnings, Warning{Msg: fmt.Sprintf("MCP server %q is defined in both %s and %s; using %s", s.Name, prev.Source, path, path)})
				}
				legacy[s.Name] = s
			}
		}
		for _, name := range sortedKeys(legacy) {
			if _, ok := byName[name]; ok {
				warnings = append(warnings, Warning{Msg: fmt.Sprintf("MCP server %q from %s is shadowed by the agent's own definition", name, legacy[name].Source)})
				continue
			}
			byName[name] = legacy[name]
		}
	}
	out := make([]ServerConfig, 0, len(byName))
	for _, s := range byName {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, warnings
}
