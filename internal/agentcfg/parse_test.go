package agentcfg

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fullAgent = `{
  "$schema": "https://example.com/agent.json",
  "name": "reviewer",
  "description": "Reviews code",
  "prompt": "Be terse.",
  "mcpServers": {
    "git": {"command": "git-mcp", "args": ["--repo", "."], "env": {"A": "1"}, "timeout": 5000, "autoApprove": []},
    "remote": {"type": "http", "url": "https://mcp.example.com", "headers": {"X": "y"}}
  },
  "tools": ["@builtin", "@git"],
  "toolAliases": {"@git/status": "git_status"},
  "allowedTools": ["fs_read", "@git/status"],
  "resources": ["file://README.md", "file://docs/**/*.md"],
  "hooks": {
    "agentSpawn": [{"command": "git status --short"}],
    "preToolUse": [{"command": "check.sh", "matcher": "fs_*", "timeout_ms": 500, "max_output_size": 100, "cache_ttl_seconds": 9}]
  },
  "toolsSettings": {"execute_bash": {"allowedCommands": ["ls .*"]}},
  "useLegacyMcpJson": true,
  "model": "claude-sonnet-4"
}`

func TestParseEveryField(t *testing.T) {
	a, err := Parse("/x/reviewer.json", []byte(fullAgent))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "reviewer" || a.Description != "Reviews code" || a.Prompt != "Be terse." || a.Model != "claude-sonnet-4" ||
		!a.UseLegacyMcpJSON || a.Schema != "https://example.com/agent.json" || a.Path != "/x/reviewer.json" {
		t.Fatalf("scalars: %+v", a)
	}
	if !reflect.DeepEqual(a.Tools, []string{"@builtin", "@git"}) || !reflect.DeepEqual(a.AllowedTools, []string{"fs_read", "@git/status"}) ||
		a.ToolAliases["@git/status"] != "git_status" || len(a.Resources) != 2 {
		t.Fatalf("lists: %+v", a)
	}
	if len(a.MCPServers) != 2 || !strings.Contains(string(a.MCPServers["git"]), `"git-mcp"`) {
		t.Fatalf("mcpServers: %v", a.MCPServers)
	}
	if !strings.Contains(string(a.ToolsSettings["execute_bash"]), "allowedCommands") {
		t.Fatalf("toolsSettings: %v", a.ToolsSettings)
	}
	spawn := a.Hooks[AgentSpawn]
	if len(spawn) != 1 || spawn[0] != (HookSpec{Command: "git status --short", TimeoutMS: 30000, MaxOutputSize: 10240}) {
		t.Fatalf("defaults not applied: %+v", spawn)
	}
	pre := a.Hooks[PreToolUse]
	if len(pre) != 1 || pre[0] != (HookSpec{Command: "check.sh", Matcher: "fs_*", TimeoutMS: 500, MaxOutputSize: 100, CacheTTLSeconds: 9}) {
		t.Fatalf("preToolUse: %+v", pre)
	}
	// autoApprove is the Kiro CLI's: accepted without a word.
	if len(a.Notes) != 0 {
		t.Fatalf("notes: %q", a.Notes)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // each a full "file:line:col: msg" prefix
	}{
		{"unknown field by name", "{\n  \"name\": \"a\",\n  \"toolSettings\": {}\n}",
			[]string{`agent.json:3:3: unknown field "toolSettings" (did you mean "toolsSettings"?)`}},
		{"several problems, in file order", "{\"name\": 1,\n \"tools\": \"fs_read\", \"modle\": true}",
			[]string{`agent.json:1:10: field "name": expected a string, got the number 1`,
				`agent.json:2:11: field "tools": expected an array of strings, got a string`,
				`agent.json:2:22: unknown field "modle" (did you mean "model"?)`}},
		{"missing name", `{"tools": []}`, []string{`agent.json:1:1: missing required field "name"`}},
		{"empty name", `{"name": " "}`, []string{`agent.json:1:10: field "name" must not be empty`}},
		{"duplicate key", "{\"name\": \"a\",\n\"name\": \"b\"}", []string{`agent.json:2:1: duplicate field "name"`}},
		{"syntax error", "{\n  \"name\": \"a\",\n}", []string{"agent.json:3:1: invalid JSON: invalid character '}'"}},
		{"truncated", `{"name": "a"`, []string{"agent.json:1:13: invalid JSON: the text ends early"}},
		{"not an object", `["a"]`, []string{"agent.json:1:1: an agent file must be a JSON object, got an array"}},
		{"unknown trigger", "{\"name\": \"a\", \"hooks\": {\n  \"onStart\": []}}",
			[]string{`agent.json:2:3: unknown hook trigger "onStart" (expected one of agentSpawn, userPromptSubmit, preToolUse, postToolUse, stop)`}},
		{"hook without command", `{"name": "a", "hooks": {"stop": [{"timeout_ms": 5}]}}`,
			[]string{`agent.json:1:34: field "hooks.stop[0]": missing required field "command"`}},
		{"negative timeout", `{"name": "a", "hooks": {"stop": [{"command": "x", "timeout_ms": -1}]}}`,
			[]string{`agent.json:1:65: field "hooks.stop[0].timeout_ms": expected a non-negative integer, got the number -1`}},
		{"fractional size", `{"name": "a", "hooks": {"stop": [{"command": "x", "max_output_size": 1.5}]}}`,
			[]string{`field "hooks.stop[0].max_output_size": expected a non-negative integer, got the number 1.5`}},
		{"mcp type", `{"name": "a", "mcpServers": {"s": {"type": "sse"}}}`,
			[]string{`field "mcpServers.s.type": expected "stdio" or "http", got "sse"`}},
		{"mcp args", `{"name": "a", "mcpServers": {"s": {"command": "x", "args": "y"}}}`,
			[]string{`field "mcpServers.s.args": expected an array of strings, got a string`}},
		{"alias value", `{"name": "a", "toolAliases": {"@s/t": 3}}`,
			[]string{`field "toolAliases.@s/t": expected a string, got the number 3`}},
		{"legacy flag", `{"name": "a", "useLegacyMcpJson": "yes"}`,
			[]string{`field "useLegacyMcpJson": expected true or false, got a string`}},
		{"multibyte column", "{\"name\": \"é\", \"tols\": 1}", []string{`agent.json:1:15: unknown field "tols" (did you mean "tools"?)`}},
		{"settings not an object", `{"name": "a", "toolsSettings": {"fs_read": true}}`,
			[]string{`field "toolsSettings.fs_read": expected a settings object, got a boolean`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("agent.json", []byte(tc.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want *ParseError, got %v", err)
			}
			if len(pe.Problems) != len(tc.want) {
				t.Fatalf("got %d problems:\n%v", len(pe.Problems), err)
			}
			for i, w := range tc.want {
				got := pe.Problems[i].String()
				if !strings.HasPrefix(w, "agent.json:") {
					got = pe.Problems[i].Msg
				}
				if !strings.HasPrefix(got, w) {
					t.Errorf("problem %d:\n got %s\nwant %s", i, got, w)
				}
			}
		})
	}
}

func TestParseNotes(t *testing.T) {
	src := `{"name": "a", "resources": ["README.md"], "hooks": {"agentSpawn": [{"command": "x", "matcher": "*", "timeout": 5}]},
	"author": "me"}`
	a, err := Parse("a.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(a.Notes, "\n")
	for _, want := range []string{`resource "README.md" does not start with file://`, "matcher only applies to preToolUse",
		`unknown hook field "timeout" is ignored (did you mean "timeout_ms"?)`, `unknown field "author" is ignored`} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

func TestPromptFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "prompts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prompts", "p.md"), []byte("You review Go."), 0o644); err != nil {
		t.Fatal(err)
	}
	agentFile := filepath.Join(dir, "a.json")
	a, err := Parse(agentFile, []byte(`{"name": "a", "prompt": "file://prompts/p.md"}`))
	if err != nil || a.Prompt != "You review Go." {
		t.Fatalf("relative prompt: %v %+v", err, a)
	}
	abs := "file://" + filepath.Join(dir, "prompts", "p.md")
	if a, err := Parse("/elsewhere/a.json", []byte(`{"name": "a", "prompt": "`+abs+`"}`)); err != nil || a.Prompt != "You review Go." {
		t.Fatalf("absolute prompt: %v", err)
	}
	_, err = Parse(agentFile, []byte("{\"name\": \"a\",\n \"prompt\": \"file://missing.md\"}"))
	if err == nil || !strings.HasPrefix(err.Error(), agentFile+":2:12: prompt file://missing.md (resolved to "+filepath.Join(dir, "missing.md")+"): no such file") {
		t.Fatalf("missing prompt file: %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	a, err := Parse("a.json", []byte(fullAgent))
	if err != nil {
		t.Fatal(err)
	}
	a.Hooks[Stop] = []HookSpec{NewHook("echo a > /tmp/x && true")}
	data, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"echo a > /tmp/x && true"`) {
		t.Fatalf("shell text escaped:\n%s", data)
	}
	b, err := Parse("a.json", data)
	if err != nil {
		t.Fatalf("Marshal output does not parse: %v\n%s", err, data)
	}
	a.Notes, b.Notes = nil, nil
	a.Digest, b.Digest = "", ""
	if !reflect.DeepEqual(normalizeRaw(a), normalizeRaw(b)) {
		t.Fatalf("round trip changed the agent:\n%+v\n%+v", a, b)
	}
	empty, _ := Marshal(&Agent{Name: "n"})
	for _, key := range []string{`"$schema": "` + SchemaURL, `"tools": []`, `"hooks": {}`, `"prompt": null`} {
		if !strings.Contains(string(empty), key) {
			t.Errorf("template lacks %s:\n%s", key, empty)
		}
	}
}

// normalizeRaw drops the formatting of raw JSON values, which Marshal indents.
func normalizeRaw(a *Agent) *Agent {
	c := *a
	c.MCPServers, c.ToolsSettings = nil, nil
	return &c
}
