package agentcfg

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
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

// Loaded is what the agent directories hold.
type Loaded struct {
	// Agents are the valid agents, one per name: the file of the directory
	// that comes first wins.
	Agents []*Agent
	// Invalid are the files that could not be loaded, in directory order.
	Invalid []InvalidFile
	// Clashes are the files that lost to another defining the same name.
	Clashes []Clash
	// dirOf gives each agent's and invalid file's directory rank.
	dirOf map[string]int
}

// InvalidFile is an agent file that failed to load.
type InvalidFile struct {
	Path string
	// Names are the names the file answers to: its "name" field, when
	// that can still be read, and its file name without ".json".
	Names []string
	// Err is a *ParseError, or why the file could not be read.
	Err error
}

// Lines are the file's problems, one per line, then that it was skipped.
func (inv InvalidFile) Lines() []string {
	var pe *ParseError
	if !errors.As(inv.Err, &pe) {
		return []string{inv.Err.Error()}
	}
	var out []string
	for _, p := range pe.Problems {
		out = append(out, p.String())
	}
	return append(out, fmt.Sprintf("agent file %s is invalid and was skipped", inv.Path))
}

// Clash is two files defining one agent name: Used wins, Ignored is not
// loaded.
type Clash struct {
	Name          string
	Used, Ignored *Agent
}

// String is the warning shown for the clash.
func (c Clash) String() string {
	if filepath.Dir(c.Used.Path) == filepath.Dir(c.Ignored.Path) {
		return fmt.Sprintf("agent %q in %s is skipped: %s defines the same name", c.Name, c.Ignored.Path, c.Used.Path)
	}
	return fmt.Sprintf("Agent conflict for %s. Using %s (%s is ignored).", c.Name, c.Used.Path, c.Ignored.Path)
}

// Load reads every *.json agent in dirs, which come in precedence order
// (Dirs). Invalid files and name clashes are recorded, never fatal.
func Load(dirs []string) *Loaded {
	l := &Loaded{dirOf: map[string]int{}}
	seen := map[string]*Agent{}
	for rank, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		sort.Strings(files)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.IsDir() {
				continue
			}
			l.dirOf[f] = rank
			a, err := ParseFile(f)
			if err != nil {
				l.Invalid = append(l.Invalid, InvalidFile{Path: f, Names: namesOf(f), Err: err})
				continue
			}
			if prev, dup := seen[a.Name]; dup {
				l.Clashes = append(l.Clashes, Clash{Name: a.Name, Used: prev, Ignored: a})
				prev.Shadowed = append(prev.Shadowed, a)
				continue
			}
			seen[a.Name] = a
			l.Agents = append(l.Agents, a)
		}
	}
	return l
}

// namesOf returns the names an unloadable file answers to.
func namesOf(path string) []string {
	names := []string{strings.TrimSuffix(filepath.Base(path), ".json")}
	data, err := os.ReadFile(path)
	if err != nil {
		return names
	}
	var v struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(data, &v) == nil && v.Name != "" && v.Name != names[0] {
		names = append(names, v.Name)
	}
	return names
}

// Warnings are the load problems, one line each: every problem of each
// invalid file, then the clashes.
func (l *Loaded) Warnings() []string {
	var out []string
	for _, inv := range l.Invalid {
		out = append(out, inv.Lines()...)
	}
	for _, c := range l.Clashes {
		out = append(out, c.String())
	}
	return out
}

// LoadAll reads every *.json agent in dirs: the agents, and the load
// problems as warnings (Loaded.Warnings). When two files define the same
// name the one from the earlier directory wins (Dirs puts the workspace
// first), as in the Q CLI.
func LoadAll(dirs []string) ([]*Agent, []string) {
	l := Load(dirs)
	return l.Agents, l.Warnings()
}

// List is LoadAll plus the built-in default when no file overrides it,
// sorted by name: what `q agent list` and `/agent list` show.
func List(dirs []string) ([]*Agent, []string) {
	l := Load(dirs)
	return l.List(), l.Warnings()
}

// List is l's agents plus the built-in default when no file overrides it,
// sorted by name, in a slice of the caller's.
func (l *Loaded) List() []*Agent {
	all := slices.Clone(l.Agents)
	if find(all, DefaultName) == nil {
		all = append(all, Default())
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

func find(all []*Agent, name string) *Agent {
	for _, a := range all {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// InvalidAgentError is the refusal to use an agent whose file does not
// load: falling back to another agent would silently change what the
// session may do.
type InvalidAgentError struct {
	Name string
	File InvalidFile
}

func (e *InvalidAgentError) Error() string {
	return fmt.Sprintf("agent %s cannot be used: %s is invalid:\n%v", e.Name, e.File.Path, e.File.Err)
}

// Unwrap gives the file's error (a *ParseError when it did not parse).
func (e *InvalidAgentError) Unwrap() error { return e.File.Err }

// Lookup returns the agent called name: nil when no file defines it, an
// *InvalidAgentError when the file that would define it (the first by
// precedence) does not load.
func (l *Loaded) Lookup(name string) (*Agent, error) {
	a := find(l.Agents, name)
	for _, inv := range l.Invalid {
		if !slices.Contains(inv.Names, name) {
			continue
		}
		if a == nil || l.dirOf[inv.Path] <= l.dirOf[a.Path] {
			return nil, &InvalidAgentError{Name: name, File: inv}
		}
	}
	return a, nil
}

// Select picks the session's agent as the Q CLI does: the --agent name if
// an agent has it, else the chat.defaultAgent setting's, else a file named
// q_cli_default, else the built-in default. Each fallback is warned about
// with the Q CLI's words. Unlike the Q CLI, a name whose file exists but
// does not load is an *InvalidAgentError, not a fallback.
func Select(l *Loaded, flagName, settingName string) (*Agent, []string, error) {
	var warnings []string
	if flagName != "" {
		a, err := l.Lookup(flagName)
		if err != nil {
			return nil, warnings, err
		}
		if a != nil || flagName == DefaultName {
			return l.orDefault(a), warnings, nil
		}
		warnings = append(warnings, fmt.Sprintf("no agent with name %s found. Falling back to user specified default", flagName))
	}
	if settingName != "" {
		a, err := l.Lookup(settingName)
		if err != nil {
			return nil, warnings, err
		}
		if a != nil || settingName == DefaultName {
			return l.orDefault(a), warnings, nil
		}
		warnings = append(warnings, fmt.Sprintf("user defined default %s not found. Falling back to in-memory default", settingName))
	}
	a, err := l.Lookup(DefaultName)
	if err != nil {
		return nil, warnings, err
	}
	return l.orDefault(a), warnings, nil
}

func (l *Loaded) orDefault(a *Agent) *Agent {
	if a != nil {
		return a
	}
	if d := find(l.Agents, DefaultName); d != nil {
		return d
	}
	return Default()
}
