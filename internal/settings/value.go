package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// parse converts a command-line word into a value of info's type. Words are
// what `q settings KEY VALUE` receives, so booleans and numbers arrive bare
// ("true", "5000"); arrays and objects must be JSON.
func parse(info KeyInfo, raw string) (any, error) {
	word := strings.TrimSpace(raw)
	switch info.Type {
	case Bool:
		switch strings.ToLower(word) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("`%s` expects true or false, not %q", info.Name, raw)
	case Int:
		n, err := strconv.ParseInt(word, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("`%s` expects an integer, not %q", info.Name, raw)
		}
		if err := inRange(info, n); err != nil {
			return nil, err
		}
		return n, nil
	case String:
		s := raw
		// A quoted JSON string is taken as JSON, so "\"x\"" and x both mean x.
		if strings.HasPrefix(word, `"`) {
			var unq string
			if json.Unmarshal([]byte(word), &unq) == nil {
				s = unq
			}
		}
		if len(info.Values) == 0 {
			return s, nil
		}
		for _, v := range info.Values {
			if strings.EqualFold(s, v) {
				return v, nil
			}
		}
		return nil, fmt.Errorf("`%s` expects one of %s, not %q", info.Name, strings.Join(info.Values, ", "), raw)
	case Array, Object:
		v, err := decodeJSON(word)
		if err == nil {
			switch v.(type) {
			case []any:
				if info.Type == Array {
					return v, nil
				}
			case map[string]any:
				if info.Type == Object {
					return v, nil
				}
			}
		}
		example := `["*.md"]`
		if info.Type == Object {
			example = `{"key": "value"}`
		}
		return nil, fmt.Errorf("`%s` expects a JSON %s such as %s, not %q", info.Name, info.Type, example, raw)
	}
	return nil, fmt.Errorf("`%s` has an unsupported type", info.Name)
}

// inRange checks an Int key's bounds.
func inRange(info KeyInfo, n int64) error {
	if n < info.Min || (info.Max != 0 && n > info.Max) {
		if info.Max != 0 {
			return fmt.Errorf("`%s` must be between %d and %d, not %d", info.Name, info.Min, info.Max, n)
		}
		return fmt.Errorf("`%s` must be at least %d, not %d", info.Name, info.Min, n)
	}
	return nil
}

// check applies parse's rules to a value read from the file (decoded and
// normalized): the JSON type must be the key's, and an Int in range, a
// String one of its Values.
func check(info KeyInfo, v any) error {
	wrong := func(want string) error {
		return fmt.Errorf("`%s` expects %s, not %s", info.Name, want, Format(v, false))
	}
	switch info.Type {
	case Bool:
		if _, ok := v.(bool); !ok {
			return wrong("true or false")
		}
	case Int:
		n, ok := v.(int64)
		if f, isFloat := v.(float64); isFloat && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			n, ok = int64(f), true
		}
		if !ok {
			return wrong("an integer")
		}
		return inRange(info, n)
	case String:
		s, ok := v.(string)
		if !ok {
			return wrong("a string")
		}
		if len(info.Values) > 0 && !slices.ContainsFunc(info.Values, func(a string) bool { return strings.EqualFold(a, s) }) {
			return fmt.Errorf("`%s` expects one of %s, not %q", info.Name, strings.Join(info.Values, ", "), s)
		}
	case Array:
		if _, ok := v.([]any); !ok {
			return wrong("a JSON array")
		}
	case Object:
		if _, ok := v.(map[string]any); !ok {
			return wrong("a JSON object")
		}
	}
	return nil
}

func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.InputOffset() != int64(len(s)) {
		return nil, fmt.Errorf("unexpected data after the value")
	}
	return normalize(v), nil
}

// normalize replaces the json.Number values of a decoded document by int64
// (integral) or float64, so callers see plain Go values.
func normalize(v any) any {
	switch t := v.(type) {
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i := range t {
			t[i] = normalize(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = normalize(t[k])
		}
	}
	return v
}

// Bool returns the boolean value of key, or def when it is unset or not a
// boolean. A hand-written "true" or "false" string counts as a boolean.
func (s *Settings) Bool(key string, def bool) bool {
	switch v := s.values[key].(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

// Int returns the integer value of key, or def when it is unset or not an
// integer. A whole float (5000.0) or a string of digits counts as an integer.
func (s *Settings) Int(key string, def int) int {
	switch v := s.values[key].(type) {
	case int64:
		return int(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v)
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	return def
}

// String returns the string value of key, or def when it is unset or not a
// string.
func (s *Settings) String(key string, def string) string {
	if v, ok := s.values[key].(string); ok {
		return v
	}
	return def
}

// Strings returns the string elements of the array value of key, in order;
// nil when it is unset or not an array. Elements that are not strings are
// skipped.
func (s *Settings) Strings(key string) []string {
	items, _ := s.values[key].([]any)
	var out []string
	for _, it := range items {
		if str, ok := it.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// Format renders a value as JSON, compact or indented by two spaces,
// without escaping <, > and & (settings hold URLs, not HTML).
func Format(v any, indent bool) string {
	data, err := encode(v, indent)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func encode(v any, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
