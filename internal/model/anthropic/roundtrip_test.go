package anthropic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/anthropic"
	"github.com/qdev/qdev/internal/model/modeltest"
)

// TestConversationRoundTrip sends tool results (one with an image, one an
// error) back and checks that the fake decodes the whole conversation as
// the agent built it.
func TestConversationRoundTrip(t *testing.T) {
	s := modeltest.NewAnthropic(
		modeltest.Turn{Text: []string{"Reading."}, ToolCalls: []modeltest.ToolCall{
			{ID: "toolu_1", Name: "fs_read", Input: `{"path":"a.png"}`},
			{ID: "toolu_2", Name: "execute_bash", Input: `{"command":`},
		}},
		modeltest.Turn{Text: []string{"done"}},
	)
	defer s.Close()
	c := newClient(t, s.URL)
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
		{Type: model.ToolResultBlock, ToolUseID: "toolu_1", Content: []model.Block{
			{Type: model.TextBlock, Text: "an image"},
			{Type: model.ImageBlock, MediaType: "image/png", Data: png},
		}},
		{Type: model.ToolResultBlock, ToolUseID: "toolu_2", IsError: true, Content: []model.Block{{Type: model.TextBlock, Text: "invalid input"}}},
	}}
	req.Messages = append(req.Messages, first.Message, results)
	if _, err := c.Stream(context.Background(), req, nil); err != nil {
		t.Fatal(err)
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
			{Type: model.TextBlock, Text: "Reading."},
			{Type: model.ToolUseBlock, ToolUseID: "toolu_1", Name: "fs_read", Input: json.RawMessage(`{"path":"a.png"}`)},
			// The malformed input is replayed as the {} the agent saw.
			{Type: model.ToolUseBlock, ToolUseID: "toolu_2", Name: "execute_bash", Input: json.RawMessage(`{}`)},
		}},
		results,
	}
	got := rec[1].Messages
	for _, m := range got {
		for i, b := range m.Content {
			if len(b.Input) > 0 {
				var buf bytes.Buffer
				if err := json.Compact(&buf, b.Input); err != nil {
					t.Fatal(err)
				}
				m.Content[i].Input = buf.Bytes()
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.MarshalIndent(got, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("recorded conversation\n%s\nwant\n%s", gj, wj)
	}
}

// captureTransport keeps the JSON body and headers of each request.
type captureTransport struct {
	bodies  []map[string]any
	headers []http.Header
}

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
	c.headers = append(c.headers, r.Header.Clone())
	r.Body = io.NopCloser(bytes.NewReader(b))
	return http.DefaultTransport.RoundTrip(r)
}

func TestRequestShape(t *testing.T) {
	cases := []struct {
		name      string
		maxTokens int
		want      float64
	}{
		{"default limit", 0, anthropic.DefaultMaxTokens},
		{"given limit", 100, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := modeltest.NewAnthropic(modeltest.Turn{Text: []string{"ok"}})
			defer s.Close()
			ct := &captureTransport{}
			cl, err := anthropic.New(anthropic.Options{BaseURL: s.URL, APIKey: "key-1", HTTPClient: &http.Client{Transport: ct}})
			if err != nil {
				t.Fatal(err)
			}
			req := hi()
			req.MaxTokens = c.maxTokens
			req.Tools = []model.ToolSpec{{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`)}}
			if _, err := cl.Stream(context.Background(), req, nil); err != nil {
				t.Fatal(err)
			}
			if len(ct.bodies) != 1 {
				t.Fatalf("%d requests through the HTTP client", len(ct.bodies))
			}
			body := ct.bodies[0]
			if body["max_tokens"] != c.want || body["stream"] != true {
				t.Errorf("max_tokens %v stream %v", body["max_tokens"], body["stream"])
			}
			if got := ct.headers[0].Get("X-Api-Key"); got != "key-1" {
				t.Errorf("x-api-key %q", got)
			}
			wantSchema := map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}, "required": []any{"a"}, "additionalProperties": false}
			tools, _ := body["tools"].([]any)
			if len(tools) != 1 || !reflect.DeepEqual(tools[0].(map[string]any)["input_schema"], wantSchema) {
				t.Errorf("tools %v", body["tools"])
			}
		})
	}
}

func TestNewNeedsKey(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_BASE_URL", "")
	_, err := anthropic.New(anthropic.Options{})
	if err == nil || err.Error() != "anthropic: ANTHROPIC_API_KEY is not set" {
		t.Fatalf("err = %v", err)
	}
	t.Setenv("ANTHROPIC_API_KEY", "k")
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
	c, err := anthropic.New(anthropic.Options{})
	if err != nil || c.Name() != "anthropic" {
		t.Fatalf("client %v err %v", c, err)
	}
}
