package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/qdev/qdev/internal/jsonerr"
)

// maxBody is the largest request body accepted; larger ones get 413. Admin
// requests are small: this is generous for a list of a few hundred emails.
const maxBody = 64 << 10

// decodeBody reads r's JSON body into v. Unknown fields, wrong types,
// trailing data and syntax errors are 400s naming the field (or "body");
// an oversized body is the *http.MaxBytesError writeProblem turns into 413.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	// Read the whole body first: a decoder stopping at a syntax error early
	// in an oversized body would answer 400 where the answer is 413.
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return invalid("body", "the body could not be read")
	}
	return decodeJSON(bytes.NewReader(b), v)
}

func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return invalid("body", "unexpected data after the JSON object")
		}
		if _, err := dec.Token(); err != io.EOF {
			return invalid("body", "unexpected data after the JSON object")
		}
		return nil
	}
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return invalid("body", "a JSON object is required")
	case errors.As(err, &syn):
		return invalid("body", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "malformed JSON: the body ends early")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid("body", "a JSON object is required")
		}
		return invalid(typ.Field, "expected "+jsonerr.Kind(typ.Type))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name := strings.Trim(f, `"`); name != "" {
			return invalid(name, "unknown field")
		}
		return invalid("body", `unknown field ""`)
	}
	return invalid("body", "malformed JSON")
}
