package modeltest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

var anHeaders = map[string]string{"anthropic-version": "2023-06-01", "x-api-key": "k"}

const anHello = `{"model":"m","max_tokens":10,"stream":true,"system":[{"type":"text","text":"sys"}],"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"fs_read","input_schema":{"type":"object"}}]}`

func TestAnthropicWireFormat(t *testing.T) {
	s := NewAnthropic(Turn{
		Text:      []string{"a", "b"},
		ToolCalls: []ToolCall{{ID: "t1", Name: "fs_read", Input: `{"path":"/very/long/path"}`}},
		Usage:     &model.Usage{InputTokens: 7, OutputTokens: 2},
	})
	defer s.Close()
	status, events, data := postSSE(t, s.URL+"/v1/messages", anHello, anHeaders)
	if status != 200 {
		t.Fatalf("status %d: %q", status, data)
	}
	want := []string{"message_start", "ping",
		"content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
		"content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
		"message_delta", "message_stop"}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("events\n%q\nwant\n%q", events, want)
	}
	var text, input, stop string
	var in, out int
	for _, d := range data {
		var ev struct {
			Type    string
			Message struct {
				Usage struct {
					InputTokens int `json:"input_tokens"`
				}
			}
			Delta struct {
				Type, Text  string
				PartialJSON string `json:"partial_json"`
				StopReason  string `json:"stop_reason"`
			}
			Usage struct {
				OutputTokens int `json:"output_tokens"`
			}
		}
		if err := json.Unmarshal([]byte(d), &ev); err != nil {
			t.Fatalf("event %q: %v", d, err)
		}
		switch ev.Type {
		case "message_start":
			in = ev.Message.Usage.InputTokens
		case "content_block_delta":
			text += ev.Delta.Text
			input += ev.Delta.PartialJSON
		case "message_delta":
			stop, out = ev.Delta.StopReason, ev.Usage.OutputTokens
		}
	}
	if text != "ab" || input != `{"path":"/very/long/path"}` || stop != "tool_use" || in != 7 || out != 2 {
		t.Errorf("text %q input %q stop %q usage %d/%d", text, input, stop, in, out)
	}
	rec := s.Requests()[0]
	if rec.System != "sys" || !reflect.DeepEqual(rec.Tools, []string{"fs_read"}) || rec.Messages[0].Text() != "hi" {
		t.Errorf("recorded %+v", rec)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations %q", v)
	}
}

func TestAnthropicRequestChecks(t *testing.T) {
	cases := []struct {
		name      string
		body      string
		header    map[string]string
		status    int
		violation string
	}{
		{"no version header", anHello, nil, 200, "no anthropic-version header"},
		{"no max_tokens", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, anHeaders, 200, "max_tokens is 0"},
		{"empty text block", `{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":""}]}]}`, anHeaders, 400, "text content blocks must be non-empty"},
		{"orphan result", `{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":"r"}]}]}`, anHeaders, 200, "orphan tool_result x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewAnthropic(Turn{Text: []string{"ok"}})
			defer s.Close()
			status, _, _ := postSSE(t, s.URL+"/v1/messages", c.body, c.header)
			if status != c.status {
				t.Errorf("status %d, want %d", status, c.status)
			}
			if v := strings.Join(s.Violations(), "\n"); !strings.Contains(v, c.violation) {
				t.Errorf("violations %q, want one with %q", v, c.violation)
			}
		})
	}
}

func TestAnthropicScriptedError(t *testing.T) {
	s := NewAnthropic(Turn{Status: 529})
	defer s.Close()
	status, _, data := postSSE(t, s.URL+"/v1/messages", anHello, anHeaders)
	var body struct {
		Type  string
		Error struct{ Type, Message string }
	}
	if status != 529 || len(data) != 1 || json.Unmarshal([]byte(data[0]), &body) != nil ||
		body.Type != "error" || body.Error.Type != "overloaded_error" || body.Error.Message != "Overloaded" {
		t.Errorf("status %d body %q", status, data)
	}
}
