// Package settings reads and writes the user's settings file, a JSON object
// of dotted keys ("chat.defaultModel") compatible with the Q CLI's, and
// knows the type, default and meaning of every key.
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/atomicfile"
	"github.com/qdev/qdev/internal/jsonerr"
	"github.com/qdev/qdev/internal/paths"
)

// FileName is the settings file name inside paths.ConfigDir.
const FileName = "settings.json"

// Settings is the content of one settings file. Keys unknown to this
// version, written by a newer one or by hand, are kept and saved back
// untouched. A Settings is not safe for concurrent use.
type Settings struct {
	path   string
	values map[string]any
}

// DefaultPath returns <ConfigDir>/settings.json.
func DefaultPath() string {
	return filepath.Join(paths.ConfigDir(), FileName)
}

// Load reads the settings file at path and checks it (Validate). A missing
// or empty file gives empty settings; a file that is not a JSON object, or
// that holds a value `q settings KEY VALUE` would reject, gives an error
// naming the file and, for a syntax error, the line and column, or the
// keys and what is wrong with their values.
func Load(path string) (*Settings, error) {
	s, err := LoadUnchecked(path)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadUnchecked reads the settings file at path without checking the
// values, for q settings, which must be able to show and fix them.
func LoadUnchecked(path string) (*Settings, error) {
	s := &Settings{path: path, values: map[string]any{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: unwrapPath(err)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, &FileError{Path: path, Err: jsonerr.Explain(data, err)}
	}
	if end := dec.InputOffset(); len(bytes.TrimSpace(data[end:])) > 0 {
		extra := end + int64(len(data[end:])-len(bytes.TrimLeft(data[end:], " \t\r\n")))
		line, col := jsonerr.Position(data, extra)
		return nil, &FileError{Path: path, Err: &jsonerr.Error{Line: line, Col: col,
			Msg: "invalid JSON: unexpected data after the object"}}
	}
	if raw == nil {
		return nil, &FileError{Path: path, Err: errors.New("not a JSON object")}
	}
	for k, v := range raw {
		s.values[k] = normalize(v)
	}
	return s, nil
}

// Validate checks the value of every known key as `q settings KEY VALUE`
// checks a new one: its type, and its range or accepted values. Keys this
// version does not know are left alone (a newer version may have written
// them). The error is a *FileError whose Err is an *InvalidValues.
func (s *Settings) Validate() error {
	var bad InvalidValues
	for _, k := range slices.Sorted(maps.Keys(s.values)) {
		if info, known := Lookup(k); known {
			if err := check(info, s.values[k]); err != nil {
				bad = append(bad, err)
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &FileError{Path: s.path, Err: bad}
}

// InvalidValues are the values of a settings file that are not valid, one
// error per key, each naming the key.
type InvalidValues []error

func (v InvalidValues) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ") + " (change a value with q settings KEY VALUE, or remove it with q settings --delete KEY)"
}

// FileError is a failure to read or write the settings file at Path; its
// message is one line naming the file and, for bad JSON, the position.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return "settings file " + e.Path + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Path returns the file the settings were loaded from and are saved to.
func (s *Settings) Path() string { return s.path }

// Get returns the value of key and whether it is set. Numbers come back as
// int64 when integral, else float64; other values as decoded from JSON
// (bool, string, []any, map[string]any).
func (s *Settings) Get(key string) (any, bool) {
	v, ok := s.values[key]
	return v, ok
}

// All returns a copy of every set key and its value, unknown keys included.
func (s *Settings) All() map[string]any {
	return maps.Clone(s.values)
}

// Set parses raw as the value of the known setting key and stores it, in
// memory only until Save. It rejects unknown keys with "`KEY` is not a valid
// setting" and values of the wrong type with an error naming the key.
func (s *Settings) Set(key, raw string) error {
	info, ok := Lookup(key)
	if !ok {
		return invalidKey(key)
	}
	v, err := parse(info, raw)
	if err != nil {
		return err
	}
	if err := vet(info, v); err != nil {
		return err
	}
	s.values[key] = v
	return nil
}

// vet applies info.Check to a parsed value.
func vet(info KeyInfo, v any) error {
	if str, ok := v.(string); ok && info.Check != nil {
		return info.Check(str)
	}
	return nil
}

// SetValue stores v for the known setting key after checking its type; it
// is Set for callers that already hold a typed value (/experiment toggles).
func (s *Settings) SetValue(key string, v any) error {
	info, ok := Lookup(key)
	if !ok {
		return invalidKey(key)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("`%s`: %w", key, err)
	}
	nv, err := parse(info, string(data))
	if err != nil {
		return err
	}
	if err := vet(info, nv); err != nil {
		return err
	}
	s.values[key] = nv
	return nil
}

// Delete removes key, in memory only until Save. A key that is neither
// known nor present in the file is an error; deleting an unset known key
// is not.
func (s *Settings) Delete(key string) error {
	if _, ok := s.values[key]; !ok {
		if _, known := Lookup(key); !known {
			return invalidKey(key)
		}
	}
	delete(s.values, key)
	return nil
}

func invalidKey(key string) error {
	return fmt.Errorf("`%s` is not a valid setting", key)
}

// Save writes the settings to their file atomically: a reader, or a crash,
// sees the old file or the new one, never a mix. The file gets mode 0600
// and its directory 0700 when created. A symlinked settings file (dotfile
// managers do that) is updated at its target, keeping the link.
func (s *Settings) Save() error {
	data, err := encode(s.values, true)
	if err != nil {
		return &FileError{Path: s.path, Err: err}
	}
	data = append(data, '\n')
	target := s.path
	if t, err := filepath.EvalSymlinks(s.path); err == nil {
		target = t
	}
	if err := writeAtomic(target, data); err != nil {
		return &FileError{Path: s.path, Err: err}
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	if err := paths.EnsureDir(filepath.Dir(path)); err != nil {
		return err
	}
	return unwrapPath(atomicfile.Write(path, data, 0o600))
}
