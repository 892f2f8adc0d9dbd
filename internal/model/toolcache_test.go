package model

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestToolCacheRebuildsOnlyChangedDefinitions(t *testing.T) {
	var c ToolCache[string]
	builds := 0
	build := func(t ToolSpec) (string, error) {
		builds++
		if string(t.InputSchema) == "bad" {
			return "", errors.New("bad schema")
		}
		return t.Description + string(t.InputSchema), nil
	}
	schema := json.RawMessage(`{"type":"object"}`)
	spec := ToolSpec{Name: "fs_read", Description: "read", InputSchema: schema}
	for i := 0; i < 3; i++ {
		if v, err := c.Get(spec, build); err != nil || v != `read{"type":"object"}` {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	if builds != 1 {
		t.Fatalf("an unchanged tool was built %d times", builds)
	}
	// The cache owns its copy: changing the caller's bytes in place is a
	// change of definition, not a cache hit.
	copy(schema, `{"type":"objekt"}`)
	if v, _ := c.Get(spec, build); v != `read{"type":"objekt"}` {
		t.Fatalf("schema changed in place, got %q", v)
	}
	spec.Description = "read files"
	if v, _ := c.Get(spec, build); v != `read files{"type":"objekt"}` {
		t.Fatalf("description changed, got %q", v)
	}
	spec.InputSchema = json.RawMessage("bad")
	for i := 0; i < 2; i++ {
		if _, err := c.Get(spec, build); err == nil {
			t.Fatal("a failed build was cached as a success")
		}
	}
	if builds != 5 {
		t.Fatalf("builds = %d, want 5", builds)
	}
}
