package mcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/qdev/qdev/internal/atomicfile"
)

// File is a JSON file with an "mcpServers" object (an mcp.json or an agent
// file) opened for editing. Keys it does not touch, at the top level and
// inside mcpServers, are written back unchanged and in their order.
type File struct {
	// Path is where the file lives.
	Path string
	// Exists reports whether the file was there when opened.
	Exists  bool
	root    *object
	servers *object
	dups    []string
}

// OpenFile reads path for editing; a missing file opens as empty.
func OpenFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{Path: path, root: &object{}, servers: &object{}}, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := parseConfigFile(path, data)
	if err != nil {
		return nil, err
	}
	f.Exists = true
	return f, nil
}

func parseConfigFile(path string, data []byte) (*File, error) {
	root, _, err := parseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	f := &File{Path: path, root: root, servers: &object{}}
	if raw, ok := root.get("mcpServers"); ok && !isNull(raw) {
		f.servers, f.dups, err = parseObject(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: \"mcpServers\" must be an object mapping server names to entries", path)
		}
	}
	return f, nil
}

// Names returns the configured server names in file order.
func (f *File) Names() []string { return f.servers.keys() }

// Get returns the raw entry of server name.
func (f *File) Get(name string) (json.RawMessage, bool) { return f.servers.get(name) }

// Set adds or replaces the entry of server name.
func (f *File) Set(name string, entry json.RawMessage) { f.servers.set(name, entry) }

// Remove deletes server name and reports whether it was configured.
func (f *File) Remove(name string) bool { return f.servers.remove(name) }

// Servers returns the entries as a map, for ParseServer.
func (f *File) Servers() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(f.servers.members))
	for _, m := range f.servers.members {
		out[m.Key] = m.Value
	}
	return out
}

// Save writes the file atomically (a temporary file renamed over it), creating
// its directory. A new file is private to the user (0600) because entries
// often carry API keys in env or headers; an existing file keeps its mode.
func (f *File) Save() error {
	data, err := f.servers.marshal()
	if err != nil {
		return fmt.Errorf("%s: %v", f.Path, err)
	}
	f.root.set("mcpServers", json.RawMessage(data))
	out, err := f.root.marshal()
	if err != nil {
		return fmt.Errorf("%s: %v", f.Path, err)
	}
	return writeAtomic(f.Path, out)
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}
