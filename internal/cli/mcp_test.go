package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// mcpEnv is a temporary home and working directory for `q mcp`.
type mcpEnv struct {
	t         *testing.T
	home, cwd string
}

func newMCPEnv(t *testing.T) *mcpEnv {
	return &mcpEnv{t: t, home: t.TempDir(), cwd: t.TempDir()}
}

func (e *mcpEnv) global() string    { return filepath.Join(e.home, ".aws", "amazonq", "mcp.json") }
func (e *mcpEnv) workspace() string { return filepath.Join(e.cwd, ".amazonq", "mcp.json") }

// run executes `q mcp args...` in-process and returns stdout, stderr and the error.
func (e *mcpEnv) run(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	cmd := newCmdMCP(&mcpOptions{io: IO{Out: &out, ErrOut: &errOut}, home: func() string { return e.home },
		cwd: func() (string, error) { return e.cwd, nil }})
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func (e *mcpEnv) mustRun(args ...string) string {
	e.t.Helper()
	out, errOut, err := e.run(args...)
	if err != nil {
		e.t.Fatalf("q mcp %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// servers reads the mcpServers of path.
func (e *mcpEnv) servers(path string) map[string]map[string]any {
	e.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	var f struct {
		MCPServers map[string]map[string]any `json:"mcpServers"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	return f.MCPServers
}

func mcpExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return 1
	}
	return 0
}

// Check 73.
func TestMCPAdd(t *testing.T) {
	e := newMCPEnv(t)
	args := []string{"add", "--name", "s", "--command", "mycmd", "--scope", "global", "--env", "A=1,B=2", "--timeout", "120000"}
	e.mustRun(args...)
	want := map[string]any{"command": "mycmd", "env": map[string]any{"A": "1", "B": "2"}, "timeout": float64(120000)}
	if got := e.servers(e.global())["s"]; !reflect.DeepEqual(got, want) {
		t.Errorf("mcpServers.s = %v, want %v", got, want)
	}
	if _, err := os.Stat(e.workspace()); err == nil {
		t.Error("the workspace file was written")
	}
	_, _, err := e.run(args...)
	if mcpExitCode(err) != 1 || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("repeat without --force: %v", err)
	}
	e.mustRun("add", "--name", "s", "--command", "other", "--args", "a,b", "--args", `x\,y`, "--force")
	want = map[string]any{"command": "other", "args": []any{"a", "b", "x,y"}}
	if got := e.servers(e.global())["s"]; !reflect.DeepEqual(got, want) {
		t.Errorf("after --force: %v, want %v", got, want)
	}
	// Other keys of the file survive an edit.
	data, _ := os.ReadFile(e.global())
	if err := os.WriteFile(e.global(), append([]byte(`{"note": "keep me", `), bytes.TrimPrefix(data, []byte("{"))...), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("add", "--name", "remote", "--url", "https://example.com/mcp", "--scope", "workspace", "--disabled")
	e.mustRun("add", "--name", "t", "--command", "c")
	data, _ = os.ReadFile(e.global())
	if !strings.Contains(string(data), `"note": "keep me"`) {
		t.Errorf("other keys lost:\n%s", data)
	}
	if got := e.servers(e.workspace())["remote"]; !reflect.DeepEqual(got, map[string]any{"url": "https://example.com/mcp", "disabled": true}) {
		t.Errorf("remote = %v", got)
	}
}

// Check 74 and other usage errors: exit status 2, nothing written.
func TestMCPUsageErrors(t *testing.T) {
	e := newMCPEnv(t)
	for _, args := range [][]string{
		{"add", "--command", "x"},
		{"add", "--name", "s"},
		{"add", "--name", "s", "--command", "x", "--url", "http://h"},
		{"add", "--name", "s", "--command", "x", "--timeout", "0"},
		{"add", "--name", "s", "--command", "x", "--timeout", "-5"},
		{"add", "--name", "s", "--command", "x", "--env", "NOEQUALS"},
		{"add", "--name", "s", "--command", "x", "--scope", "elsewhere"},
		{"add", "--name", "s", "--command", "x", "--args", `["unclosed"`},
		{"add", "--name", strings.Repeat("n", 251), "--command", "x"},
		{"add", "--name", "s", "--command", "x", "--bogus"},
		{"remove"},
		{"import"},
		{"import", "--file", "f.json", "elsewhere"},
		{"status"},
		{"list", "elsewhere"},
		{"list", "global", "workspace"},
	} {
		_, _, err := e.run(args...)
		if mcpExitCode(err) != 2 {
			t.Errorf("q mcp %s: exit %d (%v), want 2", strings.Join(args, " "), mcpExitCode(err), err)
		}
	}
	if _, err := os.Stat(e.global()); err == nil {
		t.Error("a usage error wrote the global file")
	}
}

// Check 75.
func TestMCPRemoveAndList(t *testing.T) {
	e := newMCPEnv(t)
	e.mustRun("add", "--name", "s", "--command", "gcmd", "--scope", "global")
	e.mustRun("add", "--name", "s", "--command", "wcmd", "--scope", "workspace", "--args", "--port,8080")
	e.mustRun("add", "--name", "w2", "--command", "w2cmd", "--scope", "workspace")

	out := e.mustRun("list", "workspace")
	if !strings.Contains(out, "wcmd --port 8080") || !strings.Contains(out, "w2cmd") || strings.Contains(out, "gcmd") || strings.Contains(out, "global") {
		t.Errorf("list workspace:\n%s", out)
	}
	out = e.mustRun("list", "global")
	if !strings.Contains(out, "gcmd") || strings.Contains(out, "wcmd") {
		t.Errorf("list global:\n%s", out)
	}
	out = e.mustRun("list")
	if strings.Index(out, "global:") > strings.Index(out, "workspace:") || !strings.Contains(out, "gcmd") || !strings.Contains(out, "wcmd") {
		t.Errorf("list:\n%s", out)
	}

	e.mustRun("remove", "--name", "s", "--scope", "workspace")
	if _, ok := e.servers(e.workspace())["s"]; ok {
		t.Error("s still in the workspace file")
	}
	if _, ok := e.servers(e.workspace())["w2"]; !ok {
		t.Error("w2 was removed too")
	}
	if _, ok := e.servers(e.global())["s"]; !ok {
		t.Error("s was removed from the global file")
	}
	if out := e.mustRun("remove", "--name", "s", "--scope", "workspace"); !strings.Contains(out, "No MCP server named 's'") {
		t.Errorf("removing a missing server: %q", out)
	}
}

// Check 76.
func TestMCPImport(t *testing.T) {
	e := newMCPEnv(t)
	other := filepath.Join(e.cwd, "other.json")
	if err := os.WriteFile(other, []byte(`{"mcpServers":{"a":{"command":"ca","autoApprove":[],"colour":"red"},"b":{"url":"https://b.example/mcp"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun("add", "--name", "a", "--command", "old", "--scope", "workspace")
	_, _, err := e.run("import", "--file", "other.json", "workspace")
	if mcpExitCode(err) != 1 || !strings.Contains(err.Error(), "a already exist") {
		t.Fatalf("conflicting import: %v", err)
	}
	if got := e.servers(e.workspace()); len(got) != 1 || got["a"]["command"] != "old" {
		t.Errorf("a failed import changed the file: %v", got)
	}
	out, errOut, err := e.run("import", "--file", "other.json", "workspace", "--force")
	if err != nil || !strings.Contains(out, "Imported 2 MCP server(s)") || !strings.Contains(errOut, `unknown attribute "colour"`) || strings.Contains(errOut, "autoApprove") {
		t.Fatalf("import --force: %v\n%s\n%s", err, out, errOut)
	}
	got := e.servers(e.workspace())
	if got["a"]["command"] != "ca" || got["b"]["url"] != "https://b.example/mcp" {
		t.Errorf("imported: %v", got)
	}
	if _, err := os.Stat(e.global()); err == nil {
		t.Error("import into workspace wrote the global file")
	}
	// Import into global; a broken source is refused whole.
	if err := os.WriteFile(other, []byte(`{"mcpServers":{"ok":{"command":"x"},"bad":{"command":"x","env":{"N":1}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.run("import", "--file", other, "global")
	if err == nil || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("broken import: %v", err)
	}
	if _, _, err := e.run("import", "--file", "missing.json"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestMCPStatusAndAgents(t *testing.T) {
	e := newMCPEnv(t)
	agentFile := filepath.Join(e.cwd, ".amazonq", "cli-agents", "dev.json")
	if err := os.MkdirAll(filepath.Dir(agentFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(agentFile, []byte(`{"name": "dev", "tools": ["*"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun("add", "--name", "git", "--command", "uvx", "--args", "mcp-server-git", "--agent", "dev", "--env", "K=V", "--timeout", "30000")
	data, _ := os.ReadFile(agentFile)
	var a map[string]any
	if err := json.Unmarshal(data, &a); err != nil || a["name"] != "dev" || a["mcpServers"] == nil {
		t.Fatalf("agent file: %v\n%s", err, data)
	}
	e.mustRun("add", "--name", "git", "--command", "git-mcp", "--scope", "global")

	out := e.mustRun("status", "--name", "git")
	for _, want := range []string{"Scope   : global", "Command : git-mcp", "Timeout : 60000 ms",
		"Scope   : workspace", "agent dev", "Command : uvx", "Args    : mcp-server-git", "Timeout : 30000 ms", "Env Vars: K=V"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if out := e.mustRun("list", "workspace"); !strings.Contains(out, "agent dev") || !strings.Contains(out, "uvx mcp-server-git") {
		t.Errorf("list workspace:\n%s", out)
	}
	if _, _, err := e.run("status", "--name", "nope"); mcpExitCode(err) != 1 || !strings.Contains(err.Error(), "no MCP server named 'nope'") {
		t.Errorf("status of an unknown server: %v", err)
	}
	if _, _, err := e.run("add", "--name", "x", "--command", "c", "--agent", "ghost"); err == nil || !strings.Contains(err.Error(), `agent "ghost" not found`) {
		t.Errorf("unknown agent: %v", err)
	}
	e.mustRun("remove", "--name", "git", "--agent", "dev")
	data, _ = os.ReadFile(agentFile)
	if strings.Contains(string(data), "uvx") || !strings.Contains(string(data), `"tools"`) {
		t.Errorf("agent file after remove:\n%s", data)
	}
}
