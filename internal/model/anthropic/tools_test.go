package anthropic

import (
	"encoding/json"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

// Pre-encoded tool definitions must put on the wire what the SDK encodes
// for the same definition, on every request.
func TestToolDefinitionsEncodedOnce(t *testing.T) {
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	spec := model.ToolSpec{Name: "fs_read", Description: "Read files.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"],"additionalProperties":false}`)}
	req := &model.Request{Model: "m", Tools: []model.ToolSpec{spec, {Name: "thinking"}}}
	want := `[{"input_schema":{"properties":{"path":{"type":"string"}},"required":["path"],"type":"object","additionalProperties":false},"name":"fs_read","description":"Read files."},` +
		`{"input_schema":{"properties":{},"type":"object"},"name":"thinking"}]`
	for i := 0; i < 2; i++ {
		p, err := c.params(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Tools json.RawMessage }
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		if string(body.Tools) != want {
			t.Fatalf("request %d tools:\n got %s\nwant %s", i+1, body.Tools, want)
		}
	}
}
