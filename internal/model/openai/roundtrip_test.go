package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
	"github.com/qdev/qdev/internal/model/openai"
)

// TestConversationRoundTrip sends a tool call's result back and checks
// that the fake decodes the whole conversation as the agent built it.
func TestConversationRoundTrip(t *testing.T) {
	s := modeltest.NewOpenAI(
		modeltest.Turn{ToolCalls: []modeltest.ToolCall{
			{ID: "call_1", Name: "fs_read", Input: `{"path":"a.png"}`},
			{ID: "call_2", Name: "execute_bash", Input: `{"command":`},
		}},
		modeltest.Turn{Text: []string{"done"}},
	)
	defer s.Close()
	c := newClient(t, s)
	png := []byte("\x89PNG\r\n\x1a\nfake")
	req := &model.Request{Model: "m", System: "sys", Messages: []model.Message{{Role: model.User, Content: []model.Block{
		{Type: model.TextBlock, Text: "look at this"},
		{Type: model.ImageBlock, MediaType: "image/png", Data: png},
	}}}}
	first, err := c.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	results := model.Message{Role: model.User, Content: []model.Block{
		{Type: model.ToolResultBlock, ToolUseID: "call_1", Content: []model.Block{
			{Type: model.TextBlock, Text: "an image"},
			{Type: model.ImageBlock, MediaType: "image/png", Data: png},
		}},
		{Type: model.ToolResultBlock, ToolUseID: "call_2", IsError: true, Content: []model.Block{{Type: model.TextBlock, Text: "invalid input"}}},
	}}
	req.Messages = append(req.Messages, first.Message, results)
	second, err := c.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Message.Text() != "done" {
		t.Errorf("second answer %q", second.Message.Text())
	}
	if v := s.Violations(); len(v) != 0 {
		t.Fatalf("violations: %q", v)
	}
	rec := s.Requests()
	if len(rec) != 2 {
		t.Fatalf("%d requests", len(rec))
	}
	want := []model.Message{
		req.Messages[0],
		{Role: model.Assistant, Content: []model.Block{
			{Type: model.ToolUseBlock, ToolUseID: "call_1", Name: "fs_read", Input: json.RawMessage(`{"path":"a.png"}`)},
			// The malformed input is replayed as the {} the agent saw.
			{Type: model.ToolUseBlock, ToolUseID: "call_2", Name: "execute_bash", Input: json.RawMessage(`{}`)},
		}},
		// Chat completions has no is_error and no images in tool
		// messages: the images follow in the same user turn.
		{Role: model.User, Content: []model.Block{
			{Type: model.ToolResultBlock, ToolUseID: "call_1", Content: []model.Block{{Type: model.TextBlock, Text: "an image"}}},
			{Type: model.ToolResultBlock, ToolUseID: "call_2", Content: []model.Block{{Type: model.TextBlock, Text: "invalid input"}}},
			{Type: model.TextBlock, Text: "Images returned by tool call call_1:"},
			{Type: model.ImageBlock, MediaType: "image/png", Data: png},
		}},
	}
	if got := rec[1].Messages; !reflect.DeepEqual(got, want) {
		gj, _ := json.MarshalIndent(got, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("recorded conversation\n%s\nwant\n%s", gj, wj)
	}
	if rec[1].System != "sys" {
		t.Errorf("system %q", rec[1].System)
	}
}

// captureTransport keeps the JSON body of each request.
type captureTransport struct{ bodies []map[string]any }

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	c.bodies = append(c.bodies, m)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return http.DefaultTransport.RoundTrip(r)
}

func TestRequestShape(t *testing.T) {
	cases := []struct {
		name      string
		maxTokens int
		want      map[string]any
		absent    []string
	}{
		{"no limit", 0, map[string]any{"stream": true, "stream_options": map[string]any{"include_usage": true}}, []string{"max_tokens", "max_completion_tokens"}},
		{"limit", 100, map[string]any{"max_tokens": 100.0}, []string{"max_completion_tokens"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := modeltest.NewOpenAI(modeltest.Turn{Text: []string{"ok"}})
			defer s.Close()
			ct := &captureTransport{}
			cl, err := openai.New(openai.Options{BaseURL: s.URL, APIKey: "k", HTTPClient: &http.Client{Transport: ct}})
			if err != nil {
				t.Fatal(err)
			}
			req := &model.Request{Model: "m", System: "sys", MaxTokens: c.maxTokens, Messages: []model.Message{userText("hi")}}
			if _, err := cl.Stream(context.Background(), req, nil); err != nil {
				t.Fatal(err)
			}
			if len(ct.bodies) != 1 {
				t.Fatalf("%d requests through the HTTP client", len(ct.bodies))
			}
			body := ct.bodies[0]
			for k, v := range c.want {
				if !reflect.DeepEqual(body[k], v) {
					t.Errorf("%s = %v, want %v", k, body[k], v)
				}
			}
			for _, k := range c.absent {
				if _, ok := body[k]; ok {
					t.Errorf("%s present: %v", k, body[k])
				}
			}
			msgs, _ := body["messages"].([]any)
			if first, _ := msgs[0].(map[string]any); first["role"] != "system" || first["content"] != "sys" {
				t.Errorf("first message %v, want the system prompt", msgs[0])
			}
		})
	}
}
