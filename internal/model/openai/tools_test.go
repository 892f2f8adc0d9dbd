package openai

import (
	"encoding/json"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

// The cached, pre-encoded tool definitions must put on the wire exactly what
// the SDK would encode, and a tool whose definition changes must be encoded
// again.
func TestToolDefinitionsEncodedOnce(t *testing.T) {
	c, err := New(Options{BaseURL: "http://127.0.0.1:1/v1", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	spec := model.ToolSpec{Name: "fs_read", Description: "Read files.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)}
	req := &model.Request{Model: "m", Tools: []model.ToolSpec{spec, {Name: "thinking"}}}
	tools := func() []any {
		t.Helper()
		p, err := c.params(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Tools []any }
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		return body.Tools
	}
	want := `[{"function":{"description":"Read files.","name":"fs_read","parameters":{"properties":{"path":{"type":"string"}},"required":["path"],"type":"object"}},"type":"function"},` +
		`{"function":{"name":"thinking","parameters":{"properties":{},"type":"object"}},"type":"function"}]`
	for i := 0; i < 2; i++ {
		if got, _ := json.Marshal(tools()); string(got) != want {
			t.Fatalf("request %d tools:\n got %s\nwant %s", i+1, got, want)
		}
	}
	req.Tools[0].Description = "Read files and folders."
	if got := tools()[0].(map[string]any)["function"].(map[string]any)["description"]; got != "Read files and folders." {
		t.Fatalf("a changed description was not re-encoded: %v", got)
	}
	req.Tools[0].InputSchema = json.RawMessage(`[1]`)
	if _, err := c.params(req); err == nil {
		t.Fatal("a schema that is not an object was accepted")
	}
}
