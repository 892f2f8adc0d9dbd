package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody is the largest request body accepted; larger ones get 413. A
// group of 10,000 members replaced at once fits.
const maxBody = 1 << 20

// invalidSyntax is a 400 for a body that is not the JSON expected.
func invalidSyntax(detail string) error {
	return &scimError{status: http.StatusBadRequest, scimType: "invalidSyntax", detail: detail}
}

// readObject reads r's body as one JSON object (see decodeObject).
func readObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, invalidSyntax("the body could not be read")
	}
	return decodeObject(b)
}

// decodeObject decodes one JSON object with its keys in lower case, since
// SCIM attribute names are case-insensitive; numbers stay json.Number. Two
// keys differing only in case, text holding NUL, and anything after the
// object are errors.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			return nil, invalidSyntax("a JSON object is required")
		case errors.As(err, &syn):
			return nil, invalidSyntax(fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
		}
		return nil, invalidSyntax("malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidSyntax("unexpected data after the JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidSyntax("a JSON object is required")
	}
	out, err := normalize(obj, "", true)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// normalize lower-cases the keys of every object in v, refusing text with
// NUL when input is true.
func normalize(v any, at string, input bool) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			lk := strings.ToLower(k)
			name := lk
			if at != "" {
				name = at + "." + lk
			}
			if _, dup := out[lk]; dup {
				return nil, invalidSyntax(fmt.Sprintf("attribute %s is given twice (names ignore case)", name))
			}
			y, err := normalize(x, name, input)
			if err != nil {
				return nil, err
			}
			out[lk] = y
		}
		return out, nil
	case []any:
		for i, x := range v {
			y, err := normalize(x, at, input)
			if err != nil {
				return nil, err
			}
			v[i] = y
		}
		return v, nil
	case string:
		if input && strings.ContainsRune(v, 0) {
			return nil, invalidValue(fmt.Sprintf("%s: text may not contain NUL", at))
		}
	}
	return v, nil
}

// getString returns the string attribute key of obj ("" when absent or
// null), or an error naming it (as name) when it is of another type or
// longer than max bytes.
func getString(obj map[string]any, key, name string, max int) (string, error) {
	switch v := obj[key].(type) {
	case nil:
		return "", nil
	case string:
		if len(v) > max {
			return "", invalidValue(fmt.Sprintf("%s: longer than %d bytes", name, max))
		}
		return v, nil
	}
	return "", invalidValue(name + ": expected a string")
}

// getBool returns the boolean attribute key of obj, def when absent or
// null. The strings "true" and "false" in any case are accepted too, as
// Entra ID sends them.
func getBool(obj map[string]any, key, name string, def bool) (bool, error) {
	switch v := obj[key].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalidValue(name + ": expected true or false")
}

// getObject returns the complex attribute key of obj (nil when absent).
func getObject(obj map[string]any, key, name string) (map[string]any, error) {
	switch v := obj[key].(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	}
	return nil, invalidValue(name + ": expected an object")
}

// getObjects returns the multi-valued complex attribute key of obj.
func getObjects(obj map[string]any, key, name string) ([]map[string]any, error) {
	var list []any
	switch v := obj[key].(type) {
	case nil:
		return nil, nil
	case []any:
		list = v
	case map[string]any:
		list = []any{v}
	default:
		return nil, invalidValue(name + ": expected an array of objects")
	}
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, invalidValue(name + ": expected an array of objects")
		}
		out = append(out, m)
	}
	return out, nil
}

// toObject turns a resource into the form decodeObject gives, for PATCH
// to work on.
func toObject(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	out, err := normalize(obj, "", false)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// toObjectKeepCase turns a resource into a map with its keys as written,
// for a response that shows only some attributes.
func toObjectKeepCase(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	return obj, json.Unmarshal(b, &obj)
}
