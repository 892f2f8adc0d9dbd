package mcp

import (
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

// ParseServers validates the mcpServers map of source (a file path or
// "agent"). Invalid entries are skipped; they and unknown attributes are
// reported in warnings that name source and server, so the others still load.
func ParseServers(source string, servers map[string]json.RawMessage) ([]ServerConfig, []string) {
	var out []ServerConfig
	var warnings []string
	for _, name := range sortedKeys(servers) {
		cfg, warns, err := ParseServer(name, servers[name])
		for _, w := range warns {
			warnings = append(warnings, fmt.Sprintf("%s: server %q: %s", source, name, w))
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: server %q: %v; skipped", source, name, err))
			continue
		}
		cfg.Source = source
		out = append(out, cfg)
	}
	return out, warnings
}

// ReadConfigFile reads an mcp.json file ({"mcpServers": {...}}). A missing
// file yields no servers and no error; a file that is not valid JSON, or
// whose mcpServers is not an object, is an error naming the file.
func ReadConfigFile(path string) (map[string]json.RawMessage, []string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := parseConfigFile(path, data)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]json.RawMessage, len(f.servers.members))
	for _, m := range f.servers.members {
		out[m.Key] = m.Value
	}
	var warnings []string
	for _, d := range f.dups {
		warnings = append(warnings, fmt.Sprintf("%s: server %q is defined more than once; the last definition is used", path, d))
	}
	return out, warnings, nil
}

// Collect gathers the servers a session should start: the agent's
// mcpServers and, when useLegacy is set (the agent's useLegacyMcpJson), the
// global and workspace mcp.json files. The workspace file wins over the
// global one, and the agent over both, each time with a warning (spec §9.2;
// the Q CLI's Agent::thaw keeps the agent's own entry). The result is sorted
// by name; warnings name the file and server.
func Collect(agentServers map[string]json.RawMessage, useLegacy bool, cwd, home string) ([]ServerConfig, []string) {
	byName := map[string]ServerConfig{}
	servers, warnings := ParseServers("agent", agentServers)
	for _, s := range servers {
		byName[s.Name] = s
	}
	if useLegacy {
		legacy := map[string]ServerConfig{}
		for _, path := range legacyPaths(cwd, home) {
			raw, warns, err := ReadConfigFile(path)
			warnings = append(warnings, warns...)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%s: %v; file ignored", path, err))
				continue
			}
			list, warns := ParseServers(path, raw)
			warnings = append(warnings, warns...)
			for _, s := range list {
				if prev, ok := legacy[s.Name]; ok {
					warnings = append(warnings, fmt.Sprintf("MCP server %q is defined in both %s and %s; using %s", s.Name, prev.Source, path, path))
				}
				legacy[s.Name] = s
			}
		}
		for _, name := range sortedKeys(legacy) {
			if _, ok := byName[name]; ok {
				warnings = append(warnings, fmt.Sprintf("MCP server %q from %s is shadowed by the agent's own definition", name, legacy[name].Source))
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

// legacyPaths returns the global file, then the workspace file (which wins).
func legacyPaths(cwd, home string) []string {
	if cwd == "" {
		return []string{GlobalConfigPath(home)}
	}
	return []string{GlobalConfigPath(home), WorkspaceConfigPath(cwd)}
}
