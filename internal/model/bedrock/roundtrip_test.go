package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
)

// pngBytes is a PNG signature; the adapter passes bytes through untouched.
var pngBytes = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2}

func TestToolRoundTrip(t *testing.T) {
	c, s := fixture(t,
		modeltest.Turn{ToolCalls: []modeltest.ToolCall{
			{ID: "tooluse_1", Name: "fs_read", Input: `{"path":"/tmp/x","limit":10.5,"deep":{"a":[true,null]}}`},
			{ID: "tooluse_2", Name: "execute_bash", Input: `{"command":"false"}`},
		}},
		modeltest.Turn{Text: []string{"done"}},
	)
	req := simpleRequest()
	req.Messages = []model.Message{{Role: model.User, Content: []model.Block{
		{Type: model.TextBlock, Text: "what is in this picture?"},
		{Type: model.ImageBlock, MediaType: "image/png", Data: pngBytes},
	}}}
	first, err := c.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("first Stream: %v", err)
	}
	if first.StopReason != model.StopToolUse || len(first.Message.ToolUses()) != 2 {
		t.Fatalf("first response = %+v, want two tool uses", first)
	}

	req.Messages = append(req.Messages, first.Message, model.Message{Role: model.User, Content: []model.Block{
		{Type: model.ToolResultBlock, ToolUseID: "tooluse_1", Content: []model.Block{
			{Type: model.TextBlock, Text: "file contents"},
			{Type: model.ImageBlock, MediaType: "image/webp", Data: []byte("RIFFxxxxWEBP")},
		}},
		{Type: model.ToolResultBlock, ToolUseID: "tooluse_2", IsError: true, Content: []model.Block{
			{Type: model.TextBlock, Text: "exit status 1"},
		}},
	}})
	second, err := c.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("second Stream: %v", err)
	}
	if second.Message.Text() != "done" {
		t.Errorf("second text = %q", second.Message.Text())
	}

	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations: %q", v)
	}
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	msgs := reqs[1].Messages
	if len(msgs) != 3 {
		t.Fatalf("second request has %d messages, want 3", len(msgs))
	}
	img := msgs[0].Content[1]
	if img.Type != model.ImageBlock || img.MediaType != "image/png" || !bytes.Equal(img.Data, pngBytes) {
		t.Errorf("recorded image = %+v", img)
	}
	use := msgs[1].ToolUses()
	if len(use) != 2 || use[0].Name != "fs_read" {
		t.Fatalf("recorded tool uses = %+v", use)
	}
	if !sameJSON(t, use[0].Input, `{"path":"/tmp/x","limit":10.5,"deep":{"a":[true,null]}}`) {
		t.Errorf("recorded tool input = %s", use[0].Input)
	}
	res := msgs[2].Content
	if len(res) != 2 || res[0].Type != model.ToolResultBlock || res[0].IsError || !res[1].IsError {
		t.Fatalf("recorded tool results = %+v", res)
	}
	if len(res[0].Content) != 2 || res[0].Content[0].Text != "file contents" ||
		res[0].Content[1].MediaType != "image/webp" || string(res[0].Content[1].Data) != "RIFFxxxxWEBP" {
		t.Errorf("recorded tool result content = %+v", res[0].Content)
	}
}

func TestModelIDWithSlashesAndColons(t *testing.T) {
	c, s := fixture(t, modeltest.Turn{Text: []string{"ok"}})
	req := simpleRequest()
	req.Model = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"
	if _, err := c.Stream(context.Background(), req, nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if got := s.Requests()[0].Model; got != req.Model {
		t.Errorf("recorded model = %q, want %q", got, req.Model)
	}
}

func sameJSON(t *testing.T, a json.RawMessage, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("bad JSON %s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
