package agentcfg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckName reports whether name can name a new agent: it is also the
// file's name, so it cannot be blank, contain a path separator or start
// with a dot.
func CheckName(name string) error {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("invalid agent name %q: it is also the file name, so it cannot be blank, contain / or start with a dot", name)
	}
	return nil
}

// ExistsError is Create's error when the agent file is already there; it
// wraps fs.ErrExist.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string { return "agent file " + e.Path + " already exists" }

func (e *ExistsError) Unwrap() error { return fs.ErrExist }

// Create writes a as the new agent file <dir>/<a.Name>.json, creating dir,
// and returns the file's path. It never replaces a file: when one is there
// the error is an *ExistsError.
func Create(dir string, a *Agent) (string, error) {
	if err := CheckName(a.Name); err != nil {
		return "", err
	}
	data, err := Marshal(a)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, a.Name+".json")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", &ExistsError{Path: path}
	}
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Only this call created the file: a half-written one goes.
		os.Remove(path)
		return "", err
	}
	return path, nil
}
