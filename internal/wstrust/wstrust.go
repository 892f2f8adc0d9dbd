// Package wstrust remembers which workspace configuration the user agreed
// to run. A cloned repository can ship agent files and an mcp.json whose
// hooks and MCP servers would run the moment q starts there, and whose
// permission grants (allowedTools, allow-type toolsSettings) would let the
// model run tools unasked; they apply only once the user has trusted
// exactly what they run and grant. The record lives in q's
// own configuration directory, never in the workspace, which the agent and
// the repository's authors can write.
package wstrust

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
	"sync"

	"github.com/qdev/qdev/internal/paths"
)

// FileName is the trust store's file in q's configuration directory.
const FileName = "trusted-workspaces.json"

// Item is one thing a workspace file would run or grant: a hook, an MCP
// server or a permission grant.
type Item struct {
	// Label is how it is shown to the user: what runs, exactly.
	Label string
	// Spec is its normalised configuration; every field of it that changes
	// what runs is part of the digest.
	Spec any
}

// Source is what one workspace file would run.
type Source struct {
	// File is the file's path relative to the workspace.
	File string
	// Origin is the mcp.ServerConfig.Source of the file's servers: "agent"
	// for the agent file (whose hooks are in Items too), else the path of
	// the workspace mcp.json.
	Origin string
	Items  []Item
}

// Digest identifies exactly what s runs: a hash of its items' specs,
// independent of their order and of how the file is formatted.
func (s Source) Digest() string {
	specs := make([]string, 0, len(s.Items))
	for _, it := range s.Items {
		b, err := json.Marshal(it.Spec)
		if err != nil {
			// An unmarshalable spec gets a digest no store holds.
			b = fmt.Appendf(nil, "unhashable %T %v", it.Spec, err)
		}
		specs = append(specs, string(b))
	}
	sort.Strings(specs)
	h := sha256.New()
	for _, s := range specs {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// State is how a source stands against the store.
type State int

const (
	// New means the workspace never had this file trusted.
	New State = iota
	// Changed means the file was trusted but now runs something else.
	Changed
	// Trusted means the file runs exactly what the user trusted.
	Trusted
)

// Store is the trust record, a JSON file mapping each workspace (its
// canonical path) to the digest trusted for each of its files.
type Store struct {
	path string
	mu   sync.Mutex
}

// Open returns the store kept at path; the file is created on first Trust.
func Open(path string) *Store { return &Store{path: path} }

// record is the file's content.
type record struct {
	Version    int                          `json:"version"`
	Workspaces map[string]map[string]string `json:"workspaces"`
}

// Workspace returns the key of the workspace at dir: its canonical path,
// so a symlink or ".." reaches the same record.
func Workspace(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = filepath.Clean(dir)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

// State reports whether workspace has src trusted as it is now. A store
// that cannot be read trusts nothing.
func (st *Store) State(workspace string, src Source) State {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, err := st.read()
	if err != nil {
		return New
	}
	got, ok := rec.Workspaces[Workspace(workspace)][src.File]
	switch {
	case !ok:
		return New
	case got == src.Digest():
		return Trusted
	}
	return Changed
}

// Trust records src as trusted in workspace.
func (st *Store) Trust(workspace string, src Source) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, err := st.read()
	if err != nil {
		return err
	}
	key := Workspace(workspace)
	if rec.Workspaces[key] == nil {
		rec.Workspaces[key] = map[string]string{}
	}
	rec.Workspaces[key][src.File] = src.Digest()
	return st.write(rec)
}

func (st *Store) read() (*record, error) {
	rec := &record{Version: 1, Workspaces: map[string]map[string]string{}}
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return rec, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, rec); err != nil {
		return nil, fmt.Errorf("%s: %v", st.path, err)
	}
	if rec.Workspaces == nil {
		rec.Workspaces = map[string]map[string]string{}
	}
	return rec, nil
}

// write replaces the file atomically, readable by the user only.
func (st *Store) write(rec *record) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(st.path)
	if err := paths.EnsureDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".trusted-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), st.path)
}
