package jsonerr

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

type sample struct {
	Name   string            `json:"name"`
	Count  int               `json:"count"`
	Ratio  float64           `json:"ratio"`
	On     bool              `json:"on"`
	Tags   []string          `json:"tags"`
	Env    map[string]string `json:"env"`
	Nested struct {
		Deep []int `json:"deep"`
	} `json:"nested"`
	Pointer *struct {
		X string `json:"x"`
	} `json:"pointer"`
}

func explain(t testing.TB, text string) *Error {
	t.Helper()
	var v sample
	err := json.Unmarshal([]byte(text), &v)
	if err == nil {
		return nil
	}
	return Explain([]byte(text), err)
}

func TestExplain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"name": 5}`, `line 1, column 10: name: expected a string, found a number`},
		{"{\n  \"count\": \"many\"\n}", `line 2, column 17: count: expected an integer, found a string`},
		{`{"nested": {"deep": [1, "x"]}}`, `nested.deep: expected an integer, found a string`},
		{`{"tags": {}}`, `tags: expected an array, found an object`},
		{`{"on": "yes"}`, `on: expected true or false, found a string`},
		{`[1, 2]`, `line 1, column 1: expected an object, found an array`},
		{"{\n  \"name\": \"a\",\n}", `line 3, column 1: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{`{"name": "a"`, `line 1, column 13: invalid JSON: the text ends early`},
		{`{"count": 1.5}`, `count: expected an integer, found the number 1.5`},
	} {
		got := explain(t, tc.in)
		if got == nil || !strings.HasSuffix(got.Error(), tc.want) {
			t.Errorf("%s: got %v, want … %s", tc.in, got, tc.want)
		}
	}
	if got := explain(t, "{\n \"on\": 1}").In("/x/a.json").Error(); got != "/x/a.json:2:8: on: expected true or false, found a number" {
		t.Errorf("In: %q", got)
	}
	var v sample
	dec := json.NewDecoder(strings.NewReader(`{"nmae": "x"}`))
	dec.DisallowUnknownFields()
	if e := Explain(nil, dec.Decode(&v)); e.Field != "nmae" || e.Msg != `unknown field "nmae"` {
		t.Errorf("unknown field: %+v", e)
	}
}

// goNames are what a Go type name looks like in a message.
var goNames = regexp.MustCompile(`Go (value|struct)|jsonerr\.|\bsample\b|map\[|\[\]|\*struct|reflect`)

// FuzzExplain: whatever the input, the explanation is one line, names no
// Go type, and has a position inside the input when it has one.
func FuzzExplain(f *testing.F) {
	for _, s := range []string{`{"name":1}`, `{"env":{"a":1}}`, `{"pointer":{"x":[]}}`, "{\n\"tags\":[1]}", `{`, `nul`, `{"ratio":"x"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e := explain(t, text)
		if e == nil {
			return
		}
		msg := e.Error()
		if strings.ContainsAny(msg, "\n\r") || goNames.MatchString(msg) {
			t.Fatalf("explanation %q of %q", msg, text)
		}
		if e.Line > strings.Count(text, "\n")+1 || (e.Line > 0 && e.Col < 1) {
			t.Fatalf("position %d:%d outside %q", e.Line, e.Col, text)
		}
	})
}
