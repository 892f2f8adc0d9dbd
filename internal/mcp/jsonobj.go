package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/qdev/qdev/internal/jsonerr"
)

// member is one key of a JSON object with its undecoded value.
type member struct {
	Key   string
	Value json.RawMessage
}

// object is a JSON object that keeps its keys in file order and notices
// repeated keys, which encoding/json's maps would silently collapse. Config
// files are edited through it so that a rewrite keeps the user's layout of
// keys it does not touch.
type object struct {
	members []member
}

// parseObject decodes data, which must hold one JSON object. dups lists keys
// that appeared more than once; the last occurrence is kept, as in the Q CLI.
func parseObject(data []byte) (o *object, dups []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, jsonError(data, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("expected a JSON object, got %s", describeToken(tok))
	}
	o = &object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonError(data, err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, jsonError(data, err)
		}
		if o.index(key) >= 0 {
			dups = append(dups, key)
		}
		o.set(key, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, jsonError(data, err)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, nil, fmt.Errorf("unexpected data after the object: %q", abbrev(rest))
	}
	return o, dups, nil
}

func (o *object) index(key string) int {
	for i, m := range o.members {
		if m.Key == key {
			return i
		}
	}
	return -1
}

// get returns the value of key.
func (o *object) get(key string) (json.RawMessage, bool) {
	if i := o.index(key); i >= 0 {
		return o.members[i].Value, true
	}
	return nil, false
}

// set replaces key in place, or appends it when it is new.
func (o *object) set(key string, v json.RawMessage) {
	if i := o.index(key); i >= 0 {
		o.members[i].Value = v
		return
	}
	o.members = append(o.members, member{key, v})
}

// remove deletes key and reports whether it was there.
func (o *object) remove(key string) bool {
	i := o.index(key)
	if i < 0 {
		return false
	}
	o.members = append(o.members[:i], o.members[i+1:]...)
	return true
}

// keys returns the keys in order.
func (o *object) keys() []string {
	out := make([]string, len(o.members))
	for i, m := range o.members {
		out[i] = m.Key
	}
	return out
}

// marshal encodes o with two-space indentation.
func (o *object) marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(m.Value)
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// jsonError turns a decoding error into "line L, column C: what".
func jsonError(data []byte, err error) error { return jsonerr.Explain(data, err) }

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}
