// Package jsonerr explains encoding/json errors in one line a person can
// act on: where (line and column), which field, and what JSON was expected,
// never a Go type name.
package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Error is a decoding error explained.
type Error struct {
	// Line and Col are 1-based, the column counted in characters as
	// editors show it; both are 0 when the position is not known.
	Line, Col int
	// Field is the dotted path of the field at fault, "" when the error is
	// not about one.
	Field string
	// Msg says what is wrong, without the position.
	Msg string
}

// Error is "line L, column C: Msg", or Msg alone without a position.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// In is the error as found in file, in the "file:line:col: what" form
// editors jump to ("file: what" without a position).
func (e *Error) In(file string) error {
	if e.Line == 0 {
		return fmt.Errorf("%s: %s", file, e.Msg)
	}
	return fmt.Errorf("%s:%d:%d: %s", file, e.Line, e.Col, e.Msg)
}

// Explain describes err, returned by decoding data with encoding/json.
// Errors that are not encoding/json's are kept as their message.
func Explain(data []byte, err error) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Error() == "unexpected end of JSON input":
		line, col := Position(data, int64(len(data)))
		return &Error{Line: line, Col: col, Msg: "invalid JSON: the text ends early"}
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		line, col := Position(data, max(syn.Offset-1, 0))
		return &Error{Line: line, Col: col, Msg: "invalid JSON: " + strings.TrimPrefix(syn.Error(), "json: ")}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		line, col := Position(data, int64(len(data)))
		return &Error{Line: line, Col: col, Msg: "invalid JSON: the text ends early"}
	case errors.As(err, &typ):
		// The offset is just past the value; the position names its last
		// character.
		line, col := Position(data, max(typ.Offset-1, 0))
		what := "expected " + Kind(typ.Type) + ", found " + found(typ.Value)
		if typ.Field == "" {
			return &Error{Line: line, Col: col, Msg: what}
		}
		return &Error{Line: line, Col: col, Field: typ.Field, Msg: fmt.Sprintf("%s: %s", typ.Field, what)}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
		f = strings.Trim(f, `"`)
		return &Error{Field: f, Msg: fmt.Sprintf("unknown field %q", f)}
	}
	return &Error{Msg: msg}
}

// Position converts a byte offset in data to a 1-based line and a 1-based
// column counted in characters.
func Position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[lineStart:]) + 1
}

// Kind names what JSON a Go type decodes from, the way a person writing
// the file thinks of it: "a string", "a number", "an array"...
func Kind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return Kind(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	}
	return "a value"
}

// found names the JSON value encoding/json reports in a type error
// ("string", "number 5", "array"...).
func found(v string) string {
	switch {
	case v == "array", v == "object":
		return "an " + v
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case v == "":
		return "another value"
	}
	return "a " + v
}
