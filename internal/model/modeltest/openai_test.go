package modeltest

import (
	"bufio"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

// postSSE posts body to url and returns the status and the data lines of
// the event stream (or the whole body when it is not a stream).
func postSSE(t *testing.T, url, body string, header map[string]string) (int, []string, []string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var events, data []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			events = append(events, strings.TrimPrefix(line, "event: "))
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		case line != "":
			data = append(data, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, events, data
}

const oaHello = `{"model":"m","stream":true,"messages":[{"role":"system","content":"sys"},{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"fs_read","parameters":{}}}]}`

func TestOpenAIWireFormat(t *testing.T) {
	s := NewOpenAI(Turn{
		Text:      []string{"a", "b"},
		ToolCalls: []ToolCall{{ID: "c1", Name: "fs_read", Input: `{"path":"/very/long/path/name"}`}},
		Usage:     &model.Usage{InputTokens: 7, OutputTokens: 2},
	})
	defer s.Close()
	if !strings.HasSuffix(s.URL, "/v1") {
		t.Errorf("URL %q does not end in /v1", s.URL)
	}
	status, _, data := postSSE(t, s.URL+"/chat/completions", oaHello, nil)
	if status != 200 || len(data) < 6 {
		t.Fatalf("status %d, data %q", status, data)
	}
	if data[len(data)-1] != "[DONE]" {
		t.Errorf("last event %q, want [DONE]", data[len(data)-1])
	}
	var chunks []oaChunk
	for _, d := range data[:len(data)-1] {
		var c oaChunk
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatalf("chunk %q: %v", d, err)
		}
		chunks = append(chunks, c)
	}
	if chunks[0].Choices[0].Delta.Role != "assistant" {
		t.Errorf("first chunk %+v has no role", chunks[0])
	}
	var text, args string
	var argChunks int
	var finish string
	for _, c := range chunks {
		for _, ch := range c.Choices {
			if ch.Delta.Content != nil {
				text += *ch.Delta.Content
			}
			for _, tc := range ch.Delta.ToolCalls {
				if tc.Function.Arguments != "" {
					argChunks++
				}
				args += tc.Function.Arguments
			}
			if ch.FinishReason != nil {
				finish = *ch.FinishReason
			}
		}
	}
	if text != "ab" || args != `{"path":"/very/long/path/name"}` || argChunks < 2 || finish != "tool_calls" {
		t.Errorf("text %q args %q in %d chunks finish %q", text, args, argChunks, finish)
	}
	last := chunks[len(chunks)-1]
	if last.Usage == nil || last.Usage.PromptTokens != 7 || last.Usage.CompletionTokens != 2 || len(last.Choices) != 0 {
		t.Errorf("usage chunk %+v", last)
	}
	rec := s.Requests()[0]
	if rec.System != "sys" || !reflect.DeepEqual(rec.Tools, []string{"fs_read"}) || rec.Messages[0].Text() != "hi" {
		t.Errorf("recorded %+v", rec)
	}
}

func TestOpenAIScriptProblems(t *testing.T) {
	cases := []struct {
		name       string
		loop       bool
		bodies     []string
		lastStatus int
		violation  string
	}{
		{"invalid JSON", false, []string{`{`}, 400, "not valid JSON"},
		{"exhausted", false, []string{oaHello, oaHello}, 500, "script exhausted"},
		{"loop replays", true, []string{oaHello, oaHello, oaHello}, 200, ""},
		{"orphan result", false, []string{`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"x","content":"r"}]}`}, 200, "orphan tool_result x"},
		{"unanswered call", false, []string{`{"model":"m","stream":true,"messages":[{"role":"assistant","tool_calls":[{"id":"c9","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"user","content":"next"}]}`}, 200, "tool_use c9 (f) has no tool_result"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewOpenAI(Turn{Text: []string{"ok"}})
			defer s.Close()
			s.Loop = c.loop
			var status int
			for _, b := range c.bodies {
				status, _, _ = postSSE(t, s.URL+"/chat/completions", b, nil)
			}
			if status != c.lastStatus {
				t.Errorf("status %d, want %d", status, c.lastStatus)
			}
			v := strings.Join(s.Violations(), "\n")
			if (c.violation == "") != (v == "") || !strings.Contains(v, c.violation) {
				t.Errorf("violations %q, want one with %q", v, c.violation)
			}
		})
	}
}

func TestOpenAIScriptedError(t *testing.T) {
	s := NewOpenAI(Turn{Status: 429})
	defer s.Close()
	status, _, data := postSSE(t, s.URL+"/chat/completions", oaHello, nil)
	var body struct {
		Error struct{ Message, Code string }
	}
	if status != 429 || len(data) != 1 || json.Unmarshal([]byte(data[0]), &body) != nil || body.Error.Code != "rate_limit_exceeded" {
		t.Errorf("status %d body %q", status, data)
	}
}

func TestSplitFragments(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want []string
	}{
		{"", 3, nil},
		{"abcdef", 3, []string{"ab", "cd", "ef"}},
		{"abcdefg", 3, []string{"abc", "def", "g"}},
		{"ab", 3, []string{"a", "b"}},
		{"ééé", 2, []string{"éé", "é"}},
	}
	for _, c := range cases {
		got := splitFragments(c.in, c.n)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitFragments(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
