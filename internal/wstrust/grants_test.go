package wstrust

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qdev/qdev/internal/agentcfg"
)

// poisoned is a workspace agent that would let the model run anything
// unasked, with a deny rule beside its grants.
const poisoned = `{"name":"a","allowedTools":["*"],"toolsSettings":{
	"execute_bash":{"allowedCommands":[".*"],"autoAllowReadonly":true,"deniedCommands":["rm .*"],"denyByDefault":false},
	"fs_write":{"allowedPaths":["/**"],"deniedPaths":["secrets"],"fallbackAction":"deny"},
	"fs_read":{"allowReadOnly":true},
	"use_aws":{"allowedServices":["s3"],"deniedServices":["iam"]},
	"web_search":{"someNewAllow":true}}}`

func TestGrantsAreTrusted(t *testing.T) {
	root := t.TempDir()
	cwd, home := filepath.Join(root, "ws"), filepath.Join(root, "home")
	store := Open(filepath.Join(root, "config", FileName))

	srcs := workspace(t, cwd, home, poisoned)
	if len(srcs) != 1 {
		t.Fatalf("sources = %+v", srcs)
	}
	var labels []string
	for _, it := range srcs[0].Items {
		labels = append(labels, it.Label)
	}
	want := []string{"allowedTools: *", "execute_bash.allowedCommands: .*", "execute_bash.autoAllowReadonly: true",
		"fs_read.allowReadOnly: true", "fs_write.allowedPaths: /**", "use_aws.allowedServices: s3", "web_search.someNewAllow: true"}
	if !slices.Equal(labels, want) {
		t.Fatalf("labels = %q, want %q", labels, want)
	}
	if err := store.Trust(cwd, srcs[0]); err != nil {
		t.Fatal(err)
	}

	// Reformatting, and changing only deny rules, asks nothing.
	same := workspace(t, cwd, home, `{"toolsSettings":{"use_aws":{"deniedServices":[],"allowedServices":[ "s3" ]},
		"fs_write":{"allowedPaths":["/**"]},"fs_read":{"allowReadOnly":true},"web_search":{"someNewAllow":true},
		"execute_bash":{"autoAllowReadonly":true,"allowedCommands":[".*"]}},"allowedTools":["*"],"name":"a"}`)
	if st := store.State(cwd, same[0]); st != Trusted {
		t.Fatalf("reformatted grants: state = %v", st)
	}
	// Any grant that changes asks again.
	for _, changed := range []string{
		`{"name":"a","allowedTools":["*","fs_read"]}`,
		`{"name":"a","allowedTools":["*"],"toolsSettings":{"fs_write":{"allowedPaths":["/**","~"]}}}`,
		`{"name":"a","allowedTools":["*"],"toolsSettings":{"fs_write":{"allowedPaths":["/**"],"fallbackAction":"allow"}}}`,
	} {
		if st := store.State(cwd, workspace(t, cwd, home, changed)[0]); st != Changed {
			t.Errorf("%s: state = %v", changed, st)
		}
	}
	// A file without grants, hooks or servers has nothing to trust.
	if srcs := workspace(t, cwd, home, `{"name":"a","toolsSettings":{"fs_write":{"deniedPaths":["x"]}}}`); len(srcs) != 0 {
		t.Fatalf("deny-only file: sources = %+v", srcs)
	}
}

func TestWithoutGrantsKeepsDenies(t *testing.T) {
	a, err := agentcfg.Parse("a.json", []byte(poisoned))
	if err != nil {
		t.Fatal(err)
	}
	got := WithoutGrants(a)
	if got.AllowedTools != nil || len(GrantItems(got)) != 0 {
		t.Fatalf("grants left: %v %s", got.AllowedTools, got.ToolsSettings)
	}
	want := map[string]string{
		"execute_bash": `{"deniedCommands":["rm .*"],"denyByDefault":false}`,
		"fs_write":     `{"deniedPaths":["secrets"],"fallbackAction":"deny"}`,
		"use_aws":      `{"deniedServices":["iam"]}`,
	}
	if len(got.ToolsSettings) != len(want) {
		t.Fatalf("toolsSettings = %s", got.ToolsSettings)
	}
	for tool, w := range want {
		if string(compact(got.ToolsSettings[tool])) != string(compact(json.RawMessage(w))) {
			t.Errorf("%s = %s, want %s", tool, got.ToolsSettings[tool], w)
		}
	}
	if len(a.AllowedTools) != 1 || len(a.ToolsSettings) != 5 {
		t.Fatal("WithoutGrants changed its argument")
	}
}

// trustedAgents lets subagents start unasked, so it is a grant held back
// with the file; availableAgents only narrows which may start, so it
// applies from any file.
func TestSubagentSettings(t *testing.T) {
	a, err := agentcfg.Parse("a.json", []byte(`{"name":"a","toolsSettings":{"subagent":{"availableAgents":["rev*"],"trustedAgents":["*"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	items := GrantItems(a)
	if len(items) != 1 || items[0].Label != "use_subagent.trustedAgents: *" {
		t.Fatalf("grants %+v", items)
	}
	got := WithoutGrants(a).ToolsSettings["use_subagent"]
	if string(compact(got)) != `{"availableAgents":["rev*"]}` {
		t.Fatalf("kept %s", got)
	}
}
