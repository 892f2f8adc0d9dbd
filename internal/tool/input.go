package tool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/homepath"
	"github.com/qdev/qdev/internal/jsonerr"
)

// decodeInput parses a tool's JSON input into v. Unknown fields are ignored,
// as the original's serde structs do, because models often add extras such
// as "purpose"; wrong types and malformed JSON become one-line errors that
// name the tool and the offending field.
func decodeInput(toolName string, input json.RawMessage, v any) error {
	trimmed := bytes.TrimSpace(input)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		trimmed = []byte("{}")
	}
	if trimmed[0] != '{' {
		return fmt.Errorf("%s: input must be a JSON object", toolName)
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return fmt.Errorf("%s: field %q must be %s, not a JSON %s", toolName, typeErr.Field, jsonerr.Kind(typeErr.Type), typeErr.Value)
		}
		return fmt.Errorf("%s: invalid input: %s", toolName, strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// workDir returns the session's working directory, falling back to the
// process's own when the session did not set one.
func workDir(env *Env) string {
	if env != nil && env.Cwd != "" {
		return env.Cwd
	}
	wd, err := os.Getwd()
	if err != nil {
		return "/"
	}
	return wd
}

// checkWorkDir fails when the session's working directory no longer
// exists (deleted or moved while q ran): commands would start nowhere and a
// write would silently recreate the deleted workspace.
func checkWorkDir(env *Env, tool string) error {
	dir := workDir(env)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: the working directory %s no longer exists (deleted or moved during the session); restart q in an existing directory", tool, dir)
	}
	return nil
}

// resolvePath turns a model-supplied path into an absolute, cleaned path:
// a leading "~" is the user's home and relative paths are taken from the
// session's working directory (not the process's, which may differ).
func resolvePath(env *Env, p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", errors.New("path is empty")
	}
	if homepath.HasTilde(p) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot expand ~ in %q: %v", p, err)
		}
		p = homepath.Expand(p, home)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(workDir(env), p)
	}
	return filepath.Clean(p), nil
}

// displayPath shows abs relative to the working directory when it lies
// inside it, as the original's format_path does, so prompts stay short.
func displayPath(env *Env, abs string) string {
	rel, err := filepath.Rel(workDir(env), abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return abs
	}
	return rel
}

// marshalJSON encodes v without HTML escaping, so "<" and "&" in command
// output reach the model unchanged, as serde_json writes them.
func marshalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("{\"error\":%q}", err.Error())
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// Terminal styling for Describe output.
const (
	ansiReset = "\x1b[0m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiBold  = "\x1b[1m"
)

// paint wraps s in the given ANSI style when color is on.
func paint(color bool, style, s string) string {
	if !color || s == "" {
		return s
	}
	return style + s + ansiReset
}

// writePurpose prints the model's summary of a call, as the original's
// display_purpose does.
func writePurpose(w io.Writer, summary string, color bool) {
	if strings.TrimSpace(summary) == "" {
		return
	}
	fmt.Fprintf(w, "Purpose: %s\n", paint(color, ansiBold, strings.TrimSpace(summary)))
}
