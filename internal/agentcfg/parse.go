package agentcfg

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qdev/qdev/internal/jsonerr"
	"github.com/qdev/qdev/internal/paths"
)

// Problem is one thing wrong in an agent file, at a line and column.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

// String is "file:line:col: what is wrong", the form editors jump to.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// ParseError lists every problem that kept an agent file from loading.
type ParseError struct {
	Problems []Problem
}

// Error is the problems, one per line.
func (e *ParseError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Parse decodes and validates one agent file; path names it in messages
// and anchors a relative "file://" prompt. Every problem is reported, not
// only the first: the error is a *ParseError. The fields the Kiro CLI
// added are accepted; a top-level key that looks like a misspelt field is
// an error (a misspelt toolsSettings would silently drop deny rules),
// another unknown key is ignored with a note, as are keys the Q CLI
// ignores inside hooks and MCP server entries. Tool names are stored in
// their canonical form (see package toolname), so "shell" in allowedTools
// or toolsSettings is execute_bash for every layer that reads them.
func Parse(path string, data []byte) (*Agent, error) {
	c := &checker{file: path}
	if !json.Valid(data) {
		var v any
		e := jsonerr.Explain(data, json.Unmarshal(data, &v))
		c.add(max(e.Line, 1), max(e.Col, 1), "%s", e.Msg)
		return nil, c.err()
	}
	ix, err := indexJSON(data)
	if err != nil {
		c.add(1, 1, "invalid JSON: %v", err)
		return nil, c.err()
	}
	c.ix = ix
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		c.add(1, 1, "invalid JSON: %v", err)
		return nil, c.err()
	}
	c.agent(tree)
	if len(c.problems) > 0 {
		return nil, c.err()
	}
	norm, err := normalize(tree.(map[string]any))
	var a Agent
	if err == nil {
		err = json.Unmarshal(norm, &a)
	}
	if err != nil {
		// Unreachable after the checks above; reported rather than trusted.
		c.add(1, 1, "%v", err)
		return nil, c.err()
	}
	a.Path = path
	a.Notes = c.notes
	sum := sha256.Sum256(data)
	a.Digest = hex.EncodeToString(sum[:])
	if err := c.resolvePrompt(&a); err != nil {
		return nil, err
	}
	return &a, nil
}

// resolvePrompt replaces a "file://" prompt by the file's content; a
// relative path is relative to the agent file, as in the Q CLI.
func (c *checker) resolvePrompt(a *Agent) error {
	uri, ok := strings.CutPrefix(a.Prompt, "file://")
	if !ok {
		return nil
	}
	p := uri
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		p = filepath.Join(paths.Home(), rest)
	} else if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(c.file), p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		l, col := c.ix.valuePos("/prompt")
		reason := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		c.add(l, col, "prompt %s (resolved to %s): %s", a.Prompt, p, reason)
		return c.err()
	}
	a.Prompt = string(b)
	return nil
}

// checker collects the problems of one file.
type checker struct {
	file     string
	ix       *jsonIndex
	problems []Problem
	notes    []string
}

func (c *checker) add(line, col int, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// errValue reports a problem with the value at ptr, errKey with its key.
func (c *checker) errValue(ptr, format string, args ...any) {
	l, col := c.ix.valuePos(ptr)
	c.add(l, col, format, args...)
}

func (c *checker) errKey(ptr, format string, args ...any) {
	l, col := c.ix.keyPos(ptr)
	c.add(l, col, format, args...)
}

// note records something harmless at the key of ptr.
func (c *checker) note(ptr, format string, args ...any) {
	l, col := c.ix.keyPos(ptr)
	c.notes = append(c.notes, Problem{File: c.file, Line: l, Col: col, Msg: fmt.Sprintf(format, args...)}.String())
}

func (c *checker) err() error {
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	return &ParseError{Problems: c.problems}
}

// topFields checks each known top-level key; its key set is the format.
var topFields = map[string]func(c *checker, ptr string, v any){
	"$schema":          func(c *checker, p string, v any) { c.str(p, v, false) },
	"name":             (*checker).name,
	"description":      func(c *checker, p string, v any) { c.str(p, v, true) },
	"prompt":           func(c *checker, p string, v any) { c.str(p, v, true) },
	"mcpServers":       (*checker).mcpServers,
	"tools":            (*checker).toolList,
	"toolAliases":      (*checker).strMap,
	"allowedTools":     (*checker).toolList,
	"resources":        (*checker).resources,
	"hooks":            (*checker).hooks,
	"toolsSettings":    (*checker).toolsSettings,
	"useLegacyMcpJson": (*checker).boolean,
	"model":            func(c *checker, p string, v any) { c.str(p, v, true) },
	// Added by the Kiro CLI.
	"includeMcpJson":   (*checker).boolean,
	"includePowers":    (*checker).boolean,
	"welcomeMessage":   func(c *checker, p string, v any) { c.str(p, v, true) },
	"keyboardShortcut": func(c *checker, p string, v any) { c.str(p, v, true) },
}

// agent checks the top-level object.
func (c *checker) agent(tree any) {
	obj, ok := tree.(map[string]any)
	if !ok {
		c.errValue("", "an agent file must be a JSON object, got %s", kind(tree))
		return
	}
	for _, d := range c.ix.dups {
		if strings.Count(d.ptr, "/") == 1 {
			l, col := jsonerr.Position(c.ix.data, d.off)
			c.add(l, col, "duplicate field %q", unescapePointer(d.ptr[1:]))
		}
	}
	for key, v := range obj {
		ptr := "/" + escapePointer(key)
		check, known := topFields[key]
		if !known {
			if s := suggest(key, topFields); s != "" {
				c.errKey(ptr, "unknown field %q (did you mean %q?)", key, s)
			} else {
				c.note(ptr, "unknown field %q is ignored", key)
			}
			continue
		}
		check(c, ptr, v)
	}
	if _, ok := obj["name"]; !ok {
		c.errValue("", "missing required field \"name\"")
	}
}

func (c *checker) name(ptr string, v any) {
	if s, ok := c.str(ptr, v, false); ok && strings.TrimSpace(s) == "" {
		c.errValue(ptr, "field \"name\" must not be empty")
	}
}

func unescapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~")
}

// suggest returns the known key closest to key when it is a likely typo.
func suggest[V any](key string, known map[string]V) string {
	best, bestD := "", 3
	for k := range known {
		d := editDistance(strings.ToLower(key), strings.ToLower(k))
		if len(key) >= 4 && strings.HasPrefix(strings.ToLower(k), strings.ToLower(key)) {
			d = min(d, 2) // "timeout" for "timeout_ms"
		}
		if d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
