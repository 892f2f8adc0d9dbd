package contextfiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
)

// GlobalAgentName is the agent the global context becomes, as in the Q CLI.
const GlobalAgentName = "migrated_agent_from_global_context"

// Migrated is one agent written by Migrate, or left as it was.
type Migrated struct {
	Name, Path string
	// Kept is set when a file of that name existed and was not replaced.
	Kept bool
}

// Migrate turns the legacy context into agent files in agentsDir, as the
// Q CLI's migration does: the global context becomes the agent
// GlobalAgentName, and each profile an agent of its name holding the
// profile's paths and hooks followed by the global ones. Paths become
// file:// resources; conversation_start hooks become agentSpawn hooks and
// per_prompt hooks userPromptSubmit hooks (disabled hooks stay behind);
// the agents use the legacy mcp.json files. An existing agent file is kept
// unless force is set. A legacy file that cannot be read stops the
// migration before anything is written.
func Migrate(home, agentsDir string, force bool) ([]Migrated, error) {
	global, err := readConfig(GlobalContextPath(home))
	if err != nil {
		return nil, err
	}
	var agents []*agentcfg.Agent
	if len(global.Paths) > 0 || len(global.Hooks) > 0 {
		agents = append(agents, migratedAgent(GlobalAgentName, "This is an agent migrated from global context", global))
	}
	for _, f := range LegacyFiles(home) {
		if f == GlobalContextPath(home) {
			continue
		}
		local, err := readConfig(f)
		if err != nil {
			return nil, err
		}
		merged := LegacyConfig{Paths: append(append([]string(nil), local.Paths...), global.Paths...), Hooks: map[string]LegacyHook{}}
		for name, h := range global.Hooks {
			merged.Hooks["global/"+name] = h
		}
		for name, h := range local.Hooks {
			merged.Hooks[name] = h
		}
		name := filepath.Base(filepath.Dir(f))
		agents = append(agents, migratedAgent(name, "This is an agent migrated from profile context", merged))
	}
	var out []Migrated
	for _, a := range agents {
		m, err := writeAgent(agentsDir, a, force)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

func migratedAgent(name, desc string, cfg LegacyConfig) *agentcfg.Agent {
	a := agentcfg.Default()
	a.Name, a.Description = name, desc
	a.Resources = nil
	for _, p := range cfg.Paths {
		if !strings.HasPrefix(p, "file://") {
			p = "file://" + p
		}
		a.Resources = append(a.Resources, p)
	}
	a.Hooks = hookSpecs(cfg.Hooks)
	if len(a.Hooks) == 0 {
		a.Hooks = nil
	}
	return a
}

// writeAgent writes a to agentsDir/<name>.json, keeping an existing file
// unless force is set.
func writeAgent(dir string, a *agentcfg.Agent, force bool) (Migrated, error) {
	m := Migrated{Name: a.Name, Path: filepath.Join(dir, a.Name+".json")}
	if !force {
		_, err := agentcfg.Create(dir, a)
		if errors.Is(err, fs.ErrExist) {
			m.Kept = true
			return m, nil
		}
		return m, err
	}
	data, err := agentcfg.Marshal(a)
	if err != nil {
		return m, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return m, err
	}
	return m, writeAtomic(m.Path, data)
}
