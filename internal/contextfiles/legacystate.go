package contextfiles

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// LegacyStateFile is the record's name inside q's data directory.
const LegacyStateFile = "legacy-context.json"

// LegacyState records how qdev treats the legacy context files. The Q CLI
// stopped reading them once it migrated them to agents, but left them in
// place, so a file found in ~/.aws/amazonq is not taken as wanted: it is
// used by sessions only once qdev's own /context commands have written it
// (Owned), and otherwise awaits migration (q agent migrate), which is
// offered once.
type LegacyState struct {
	path string
	// Offered is set once the user was asked whether to migrate.
	Offered bool `json:"offered"`
	// Migrated is set once q agent migrate ran: what the files held then
	// lives on in agents.
	Migrated bool `json:"migrated"`
	// Owned are the files qdev's /context commands wrote.
	Owned []string `json:"owned,omitempty"`
}

// LoadLegacyState reads the record in dataDir; a missing or unreadable
// record is an empty one (nothing owned, nothing offered).
func LoadLegacyState(dataDir string) *LegacyState {
	st := &LegacyState{path: filepath.Join(dataDir, LegacyStateFile)}
	if data, err := os.ReadFile(st.path); err == nil {
		_ = json.Unmarshal(data, st)
	}
	return st
}

// Save writes the record atomically.
func (st *LegacyState) Save() error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	// The data directory is private (0700), as store.Open creates it.
	if err := os.MkdirAll(filepath.Dir(st.path), 0o700); err != nil {
		return err
	}
	return writeAtomic(st.path, append(data, '\n'))
}

// Owns reports whether qdev's /context commands wrote the file at path.
func (st *LegacyState) Owns(path string) bool {
	return slices.Contains(st.Owned, filepath.Clean(path))
}

func (st *LegacyState) own(path string) {
	if p := filepath.Clean(path); !slices.Contains(st.Owned, p) {
		st.Owned = append(st.Owned, p)
		sort.Strings(st.Owned)
	}
}

// LegacyFiles returns the legacy context files that exist under home:
// global_context.json, then each profile's context.json by name.
func LegacyFiles(home string) []string {
	var out []string
	if fileExists(GlobalContextPath(home)) {
		out = append(out, GlobalContextPath(home))
	}
	entries, _ := os.ReadDir(ProfilesDir(home))
	for _, e := range entries {
		if p := ProfileContextPath(home, e.Name()); e.IsDir() && fileExists(p) {
			out = append(out, p)
		}
	}
	return out
}

// Pending returns the legacy files awaiting migration: those with paths
// or hooks (or that cannot be read, which only migration would tell),
// which qdev did not write and which were not migrated already.
func (st *LegacyState) Pending(home string) []string {
	if st.Migrated {
		return nil
	}
	var out []string
	for _, f := range LegacyFiles(home) {
		if st.Owns(f) {
			continue
		}
		cfg, err := readConfig(f)
		if err != nil || len(cfg.Paths) > 0 || len(cfg.Hooks) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
