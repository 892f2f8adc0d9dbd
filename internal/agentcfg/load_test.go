package agentcfg

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func writeAgent(t *testing.T, dir, file, body string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, file)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDirs(t *testing.T) {
	if got := Dirs("/home/u", "/home/u"); !reflect.DeepEqual(got, []string{"/home/u/.aws/amazonq/cli-agents", "/home/u/.kiro/agents"}) {
		t.Fatalf("cwd == home: %v", got)
	}
	if got := Dirs("/home/u/", "/home/u"); len(got) != 2 {
		t.Fatalf("cwd == home with a trailing slash: %v", got)
	}
	got := Dirs("/src/p", "/home/u")
	want := []string{"/src/p/.amazonq/cli-agents", "/src/p/.kiro/agents", "/home/u/.aws/amazonq/cli-agents", "/home/u/.kiro/agents"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("workspace first, the Q CLI's before the Kiro CLI's: %v", got)
	}
	for p, want := range map[string]bool{"/home/u/.kiro/agents/a.json": true, "/home/u/.aws/amazonq/cli-agents/a.json": true,
		"/src/p/.kiro/agents/a.json": false, "": false, "/home/u/.kiro/agents/sub/a.json": false} {
		if IsGlobal(p, "/home/u") != want {
			t.Errorf("IsGlobal(%q) != %v", p, want)
		}
	}
}

// TestKiroPrecedence: every agent directory is read; on a clash the
// workspace's file wins over the user's, and at one level the Q CLI's
// file wins over the Kiro CLI's.
func TestKiroPrecedence(t *testing.T) {
	root := t.TempDir()
	cwd, home := filepath.Join(root, "p"), filepath.Join(root, "h")
	qws := writeAgent(t, WorkspaceDir(cwd), "a.json", `{"name": "a"}`)
	writeAgent(t, KiroWorkspaceDir(cwd), "a.json", `{"name": "a"}`)
	kws := writeAgent(t, KiroWorkspaceDir(cwd), "b.json", `{"name": "b"}`)
	writeAgent(t, GlobalDir(home), "b.json", `{"name": "b"}`)
	kg := writeAgent(t, KiroGlobalDir(home), "c.json", `{"name": "c"}`)
	l := Load(Dirs(cwd, home))
	got := map[string]string{}
	for _, a := range l.Agents {
		got[a.Name] = a.Path
	}
	if !reflect.DeepEqual(got, map[string]string{"a": qws, "b": kws, "c": kg}) {
		t.Fatalf("agents %v", got)
	}
	if len(l.Clashes) != 2 || l.Clashes[0].Used.Path != qws || l.Clashes[1].Used.Path != kws {
		t.Fatalf("clashes %+v", l.Clashes)
	}
}

func TestLoadAllWorkspaceWinsAndBadFilesSkipped(t *testing.T) {
	root := t.TempDir()
	ws, global := filepath.Join(root, "ws"), filepath.Join(root, "global")
	wsFile := writeAgent(t, ws, "dev.json", `{"name": "dev", "description": "workspace"}`)
	writeAgent(t, global, "dev.json", `{"name": "dev", "description": "global"}`)
	writeAgent(t, global, "other.json", `{"name": "other"}`)
	bad := writeAgent(t, global, "bad.json", "{\"name\": \"bad\",\n  \"toolSettings\": {}}")
	writeAgent(t, global, "notes.txt", `not an agent`)

	all, warnings := LoadAll([]string{ws, global})
	names := map[string]string{}
	for _, a := range all {
		names[a.Name] = a.Description
	}
	if len(all) != 2 || names["dev"] != "workspace" || names["other"] != "" {
		t.Fatalf("agents: %v", names)
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{
		bad + `:2:3: unknown field "toolSettings"`,
		"agent file " + bad + " is invalid and was skipped",
		"Agent conflict for dev. Using " + wsFile,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
}

func TestSelectFallbacks(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "agents")
	writeAgent(t, dir, "a.json", `{"name": "alpha"}`)
	writeAgent(t, dir, "b.json", `{"name": "beta"}`)
	cases := []struct {
		flag, setting, want, warn string
	}{
		{"", "", DefaultName, ""},
		{"alpha", "beta", "alpha", ""},
		{"", "beta", "beta", ""},
		{"nope", "beta", "beta", "no agent with name nope found. Falling back to user specified default"},
		{"nope", "gone", DefaultName, "user defined default gone not found. Falling back to in-memory default"},
		{DefaultName, "beta", DefaultName, ""},
	}
	for _, tc := range cases {
		a, warnings, err := Select(Load([]string{dir}), tc.flag, tc.setting)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != tc.want {
			t.Errorf("Select(%q, %q) = %s, want %s", tc.flag, tc.setting, a.Name, tc.want)
		}
		if joined := strings.Join(warnings, "\n"); tc.warn == "" && joined != "" || !strings.Contains(joined, tc.warn) {
			t.Errorf("Select(%q, %q) warnings %q, want %q", tc.flag, tc.setting, joined, tc.warn)
		}
	}
	d, _, _ := Select(Load([]string{dir}), "", "")
	if d.Path != "" || d.Name != DefaultName || !d.UseLegacyMcpJSON || len(d.Resources) != 6 || d.Tools[0] != "*" || len(d.AllowedTools) != 0 {
		t.Fatalf("built-in default: %+v", d)
	}
}

// TestSelectRefusesInvalidAgent: a name whose file does not load is an
// error naming the file, never a fallback to an agent with other
// permissions; a lower-precedence broken file does not shadow a good one.
func TestSelectRefusesInvalidAgent(t *testing.T) {
	root := t.TempDir()
	ws, global := filepath.Join(root, "ws"), filepath.Join(root, "global")
	bad := writeAgent(t, ws, "guard.json", `{"name": "guard", "toolsSettings": {"execute_bash": {"deniedCommand": ["rm .*"]}}}`)
	writeAgent(t, global, "guard.json", `{"name": "guard", "allowedTools": ["*"]}`)
	writeAgent(t, ws, "broken.json", `{"name": "b`)
	writeAgent(t, ws, "renamed.json", `{"name": "strict", "tools": 5}`)
	writeAgent(t, global, "other.json", `{"name": "other", "bogus": }`)
	writeAgent(t, ws, "other.json", `{"name": "other"}`)
	l := Load([]string{ws, global})
	for _, tc := range []struct{ flag, setting, file string }{
		{"guard", "", bad}, {"", "guard", bad}, {"broken", "", "broken.json"}, {"strict", "", "renamed.json"}, {"renamed", "", "renamed.json"},
	} {
		_, _, err := Select(l, tc.flag, tc.setting)
		var ie *InvalidAgentError
		if !errors.As(err, &ie) || !strings.HasSuffix(ie.File.Path, tc.file) {
			t.Errorf("Select(%q, %q) = %v, want an error naming %s", tc.flag, tc.setting, err, tc.file)
			continue
		}
		if !strings.Contains(err.Error(), "is invalid:\n") {
			t.Errorf("message: %v", err)
		}
	}
	var pe *ParseError
	if _, _, err := Select(l, "guard", ""); !errors.As(err, &pe) || !strings.Contains(err.Error(), `unknown setting "deniedCommand"`) {
		t.Errorf("the problems are not in the error: %v", err)
	}
	if a, _, err := Select(l, "other", ""); err != nil || a.Path != filepath.Join(ws, "other.json") {
		t.Errorf("a broken global file shadows the workspace one: %v %v", a, err)
	}
}

func TestDefaultOverriddenByFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "agents")
	p := writeAgent(t, dir, "mine.json", `{"name": "q_cli_default", "tools": ["fs_read"]}`)
	a, _, _ := Select(Load([]string{dir}), "", "")
	if a.Path != p || len(a.Tools) != 1 {
		t.Fatalf("file q_cli_default not used: %+v", a)
	}
	all, _ := List([]string{dir})
	if len(all) != 1 || all[0].Path != p {
		t.Fatalf("List shows the built-in as well: %v", all)
	}
	all, _ = List(nil)
	if len(all) != 1 || all[0].Location() != "(built-in)" {
		t.Fatalf("List without files: %v", all)
	}
}

// TestSchemaMatchesParser keeps Schema() and the parser's key sets equal.
func TestSchemaMatchesParser(t *testing.T) {
	var s struct {
		Properties  map[string]json.RawMessage `json:"properties"`
		Definitions struct {
			Hook struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"hook"`
			MCPServer struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"mcpServer"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	same := func(what string, schema map[string]json.RawMessage, parser []string) {
		var keys []string
		for k := range schema {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		sort.Strings(parser)
		if strings.Join(keys, ",") != strings.Join(parser, ",") {
			t.Errorf("%s: schema %v, parser %v", what, keys, parser)
		}
	}
	same("top level", s.Properties, sortedKeys(topFields))
	same("hook", s.Definitions.Hook.Properties, sortedKeys(hookFields))
	same("mcp server", s.Definitions.MCPServer.Properties, sortedKeys(mcpServerFields))
	var hooks struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(s.Properties["hooks"], &hooks); err != nil {
		t.Fatal(err)
	}
	var triggers []string
	for _, tr := range Triggers {
		triggers = append(triggers, string(tr))
	}
	same("triggers", hooks.Properties, triggers)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fullAgent))
	f.Add([]byte(`{"name": "a", "hooks": {"stop": [{"command": "x"}]}}`))
	f.Add([]byte(`{"name": "a", "x": [1, {"y": null}], "name": "b"}`))
	f.Add([]byte(`[[[[`))
	f.Add([]byte(`{"name": "k", "tools": ["read", "@builtin/shell"], "toolsSettings": {"write": {"fallbackAction": "deny", "allowedPaths": ["a"]},
		"shell": {"deniedCommands": ["rm (x|y)"]}}, "resources": ["skill://s", {"type": "kb"}], "welcomeMessage": "hi", "auther": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("f.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if a.Name == "" {
			t.Fatal("parsed an agent without a name")
		}
		out, err := Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse("f.json", out); err != nil && !strings.Contains(err.Error(), "prompt") {
			t.Fatalf("Marshal output does not parse: %v\n%s", err, out)
		}
	})
}
