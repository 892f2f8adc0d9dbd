package managed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/qdev/qdev/internal/jsonerr"
)

// FileError is a managed settings file that cannot be used. Its message is
// one line: "managed settings FILE:LINE:COL: what is wrong".
type FileError struct {
	Path      string
	Line, Col int // 1-based; 0 when the problem has no position
	Msg       string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("managed settings %s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	return "managed settings " + e.Path + ": " + e.Msg
}

// kind is the JSON type a key's value must have.
type kind int

const (
	kObject kind = iota
	kArray
	kString
	kBool
	kInt
)

func (k kind) String() string {
	return [...]string{"an object", "an array", "a string", "a boolean", "an integer"}[k]
}

// shape describes the allowed content of a value: the fields of an object,
// the element of an array.
type shape struct {
	kind   kind
	fields map[string]*shape
	elem   *shape
}

var (
	shString  = &shape{kind: kString}
	shBool    = &shape{kind: kBool}
	shStrings = &shape{kind: kArray, elem: shString}
)

// schema is every key the managed file may hold. Keep docs/managed-settings.md
// in step with it.
var schema = &shape{kind: kObject, fields: map[string]*shape{
	"$schema":         shString,
	"deniedTools":     shStrings,
	"deniedCommands":  shStrings,
	"requireApproval": shStrings,
	"disableTrustAll": shBool,
	"allowedModels":   shStrings,
	"allowedMcpServers": {kind: kArray, elem: &shape{kind: kObject, fields: map[string]*shape{
		"name": shString, "command": shString, "url": shString,
	}}},
	"aws": {kind: kObject, fields: map[string]*shape{
		"policyFiles":        shStrings,
		"scpFiles":           {kind: kArray, elem: shStrings},
		"attributionRoleArn": shString,
		// Extra request context keys for policy evaluation, each multi-valued.
		"context": {kind: kObject, elem: shStrings},
	}},
	"sandbox": {kind: kObject, fields: map[string]*shape{
		"mode": shString, "required": shBool, "network": shBool,
		"writablePaths": shStrings, "mcpServers": shBool, "lockWritablePaths": shBool,
	}},
	"audit": {kind: kObject, fields: map[string]*shape{
		"dir": shString, "maxFileBytes": {kind: kInt},
		"publicKey": shString, "keyFingerprint": shString, "digestSink": shString,
	}},
}}

// walker checks a document against schema token by token, so that every
// problem can be reported at its line and column, and records where each
// value was set.
type walker struct {
	path string
	data []byte
	dec  *json.Decoder
	pos  map[string]int64 // dotted key or "key[i]" -> offset of its value
	prov []Entry
	// inArray counts the arrays being walked: values inside them belong
	// to the array's Provenance entry.
	inArray int
}

// parse checks data against the schema, decodes it into s and validates
// the values.
func (s *Settings) parse(data []byte) error {
	w := &walker{path: s.Path, data: data, pos: map[string]int64{}}
	w.dec = json.NewDecoder(bytes.NewReader(data))
	w.dec.UseNumber()
	tok, start, err := w.next()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return w.errAt(start, "the file must hold a JSON object")
	}
	if err := w.object(schema, ""); err != nil {
		return err
	}
	if end := w.skip(w.dec.InputOffset()); end < int64(len(data)) {
		return w.errAt(end, "unexpected data after the JSON object")
	}
	var f fileSettings
	if err := json.Unmarshal(data, &f); err != nil {
		// The walk has checked every type; only an integer out of range
		// can get here.
		return &FileError{Path: s.Path, Msg: err.Error()}
	}
	s.provenance = w.prov
	return s.apply(&f, w)
}

// next reads a token and returns it with the offset where it starts.
func (w *walker) next() (json.Token, int64, error) {
	start := w.skip(w.dec.InputOffset())
	tok, err := w.dec.Token()
	if err == nil {
		return tok, start, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Token reports the offset of the offending byte itself.
		return nil, 0, w.errAt(se.Offset, "invalid JSON: "+se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		if len(bytes.TrimSpace(w.data)) == 0 {
			return nil, 0, &FileError{Path: w.path, Msg: "the file is empty; it must hold a JSON object (delete the file for no managed settings)"}
		}
		return nil, 0, w.errAt(int64(len(w.data)), "invalid JSON: unexpected end of file")
	}
	return nil, 0, w.errAt(start, "invalid JSON: "+err.Error())
}

// skip returns the offset of the next token at or after off, past blanks
// and the separators the decoder reads as part of the following token.
func (w *walker) skip(off int64) int64 {
	for off < int64(len(w.data)) {
		switch w.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// object walks the members of an object whose '{' has been read.
func (w *walker) object(sh *shape, prefix string) error {
	var seen []string
	for {
		tok, start, err := w.next()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return nil
		}
		key, _ := tok.(string)
		full := prefix + key
		child, known := sh.fields[key]
		if sh.fields == nil && sh.elem != nil {
			// A map: any key, every value of the element's shape.
			child, known = sh.elem, true
		}
		if !known {
			return w.errAt(start, unknownKey(full, key, sh))
		}
		if slices.Contains(seen, key) {
			return w.errAt(start, fmt.Sprintf("duplicate key %q", full))
		}
		seen = append(seen, key)
		if err := w.member(child, full, start); err != nil {
			return err
		}
	}
}

// member walks the value of key and records it for Provenance.
func (w *walker) member(sh *shape, key string, keyStart int64) error {
	tok, start, err := w.next()
	if err != nil {
		return err
	}
	if sh.kind == kObject {
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return w.errAt(start, fmt.Sprintf("%q must be %s, not %s", key, sh.kind, describe(tok)))
		}
		w.pos[key] = start
		return w.object(sh, key+".")
	}
	if err := w.value(sh, key, tok, start); err != nil {
		return err
	}
	if w.inArray > 0 {
		return nil
	}
	raw := w.data[start:w.dec.InputOffset()]
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		buf.Reset()
		buf.Write(raw)
	}
	line, _ := jsonerr.Position(w.data, keyStart)
	w.prov = append(w.prov, Entry{Key: key, Value: buf.String(), File: w.path, Line: line})
	return nil
}

// value checks the value starting with tok against sh.
func (w *walker) value(sh *shape, key string, tok json.Token, start int64) error {
	w.pos[key] = start
	bad := func() error {
		return w.errAt(start, fmt.Sprintf("%q must be %s, not %s", key, sh.kind, describe(tok)))
	}
	switch sh.kind {
	case kObject:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return bad()
		}
		return w.object(sh, key+".")
	case kArray:
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return bad()
		}
		w.inArray++
		defer func() { w.inArray-- }()
		for i := 0; ; i++ {
			el, elStart, err := w.next()
			if err != nil {
				return err
			}
			if d, ok := el.(json.Delim); ok && d == ']' {
				return nil
			}
			if err := w.value(sh.elem, fmt.Sprintf("%s[%d]", key, i), el, elStart); err != nil {
				return err
			}
		}
	case kString:
		if _, ok := tok.(string); !ok {
			return bad()
		}
	case kBool:
		if _, ok := tok.(bool); !ok {
			return bad()
		}
	case kInt:
		n, ok := tok.(json.Number)
		if !ok {
			return bad()
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			return w.errAt(start, fmt.Sprintf("%q must be a whole number within 64 bits, not %s", key, n))
		}
	}
	return nil
}

// describe names the JSON type of the value starting with tok.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return "null"
}

// errAt is a FileError at byte offset off of the file.
func (w *walker) errAt(off int64, msg string) error {
	line, col := jsonerr.Position(w.data, off)
	return &FileError{Path: w.path, Line: line, Col: col, Msg: msg}
}

// at is errAt for the value recorded under key by the walk.
func (w *walker) at(key, msg string) error {
	if off, ok := w.pos[key]; ok {
		return w.errAt(off, msg)
	}
	return &FileError{Path: w.path, Msg: msg}
}
