package agentcfg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// ParseFile reads and parses the agent file at path.
func ParseFile(path string) (*Agent, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return Parse(path, data)
}

// LoadAll reads every *.json agent in dirs. A file that fails to parse is
// reported in the warnings, one line per problem, and skipped, never fatal.
// When two files define the same name the one from the earlier directory
// wins (Dirs puts the workspace first), with a warning, as in the Q CLI.
func LoadAll(dirs []string) ([]*Agent, []string) {
	var out []*Agent
	var warnings []string
	seen := map[string]*Agent{}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.IsDir() {
				continue
			}
			a, err := ParseFile(f)
			if err != nil {
				var pe *ParseError
				if errors.As(err, &pe) {
					for _, p := range pe.Problems {
						warnings = append(warnings, p.String())
					}
					warnings = append(warnings, fmt.Sprintf("agent file %s is invalid and was skipped", f))
				} else {
					warnings = append(warnings, err.Error())
				}
				continue
			}
			if prev, dup := seen[a.Name]; dup {
				if filepath.Dir(prev.Path) == filepath.Dir(f) {
					warnings = append(warnings, fmt.Sprintf("agent %q in %s is skipped: %s defines the same name", a.Name, f, prev.Path))
				} else {
					warnings = append(warnings, fmt.Sprintf("Agent conflict for %s. Using workspace version (%s; %s is ignored).", a.Name, prev.Path, f))
				}
				continue
			}
			seen[a.Name] = a
			out = append(out, a)
		}
	}
	return out, warnings
}

// List is LoadAll plus the built-in default when no file overrides it,
// sorted by name: what `q agent list` and `/agent list` show.
func List(dirs []string) ([]*Agent, []string) {
	all, warnings := LoadAll(dirs)
	if find(all, DefaultName) == nil {
		all = append(all, Default())
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, warnings
}

func find(all []*Agent, name string) *Agent {
	for _, a := range all {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Select picks the session's agent as the Q CLI does: the --agent name if
// an agent has it, else the chat.defaultAgent setting's, else a file named
// q_cli_default, else the built-in default. Each fallback is warned about
// with the Q CLI's words.
func Select(dirs []string, flagName, settingName string) (*Agent, []string) {
	all, warnings := LoadAll(dirs)
	if flagName != "" {
		if a := find(all, flagName); a != nil || flagName == DefaultName {
			return orDefault(a, all), warnings
		}
		warnings = append(warnings, fmt.Sprintf("no agent with name %s found. Falling back to user specified default", flagName))
	}
	if settingName != "" {
		if a := find(all, settingName); a != nil || settingName == DefaultName {
			return orDefault(a, all), warnings
		}
		warnings = append(warnings, fmt.Sprintf("user defined default %s not found. Falling back to in-memory default", settingName))
	}
	return orDefault(nil, all), warnings
}

func orDefault(a *Agent, all []*Agent) *Agent {
	if a != nil {
		return a
	}
	if d := find(all, DefaultName); d != nil {
		return d
	}
	return Default()
}
