package tool

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestBuiltinsSpecs(t *testing.T) {
	tools := Builtins()
	var names []string
	for _, tl := range tools {
		names = append(names, tl.Spec().Name)
	}
	want := []string{"fs_read", "fs_write", "execute_bash", "use_aws", "report_issue", "introspect", "thinking", "knowledge", "todo_list"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names = %v", names)
	}
	// The required fields are the compatibility contract with the original.
	required := map[string][]string{
		"fs_read":      {"operations"},
		"fs_write":     {"command", "path"},
		"execute_bash": {"command"},
		"use_aws":      {"region", "service_name", "operation_name", "label"},
		"report_issue": {"title"},
		"introspect":   {},
		"thinking":     {"thought"},
		"knowledge":    {"command"},
		"todo_list":    {"command"},
	}
	for _, tl := range tools {
		spec := tl.Spec()
		var schema struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		if err := json.Unmarshal(spec.InputSchema, &schema); err != nil {
			t.Errorf("%s: schema is not JSON: %v", spec.Name, err)
			continue
		}
		if schema.Type != "object" || spec.Description == "" {
			t.Errorf("%s: type %q, description %q", spec.Name, schema.Type, spec.Description)
		}
		if !reflect.DeepEqual(append([]string{}, schema.Required...), required[spec.Name]) {
			t.Errorf("%s: required = %v", spec.Name, schema.Required)
		}
		for _, r := range schema.Required {
			if _, ok := schema.Properties[r]; !ok {
				t.Errorf("%s: required %q is not a property", spec.Name, r)
			}
		}
	}
	if tl, ok := Lookup(tools, "use_aws"); !ok || tl.Spec().Name != "use_aws" {
		t.Error("Lookup(use_aws) failed")
	}
	if _, ok := Lookup(tools, "gh_issue"); ok {
		t.Error("Lookup found gh_issue, which is only the original's key")
	}
}
