package e2e

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// mcpServerBin returns the path of an npm-installed MCP server binary.
func mcpServerBin(t *testing.T, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(file), "..", "..", ".mcp-servers", "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s not installed; run .ci/run", name)
	}
	return bin
}

func TestMCPToolsThroughTheAgent(t *testing.T) {
	e := newEnv(t)
	bin := mcpServerBin(t, "mcp-server-everything")
	e.write(".amazonq/cli-agents/m.json", `{"name":"m","tools":["*"],"allowedTools":["@everything"],
		"mcpServers":{"everything":{"command":"`+bin+`","args":["stdio"]}}}`)
	s := e.openai(toolTurn(tc("c1", "echo", `{"message":"hello from mcp"}`)), text("echoed"))
	r := e.run("", "--model", "openai/m", "--agent", "m", "--trust-workspace", "--no-interactive", "echo it")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	tools := strings.Join(s.Requests()[0].Tools, ",")
	if !strings.Contains(tools, "echo") || !strings.Contains(tools, "fs_read") {
		t.Fatalf("tools offered: %s", tools)
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "hello from mcp") {
		t.Fatalf("MCP result %q", got)
	}
	// Without trust the MCP tool asks, so a non-interactive run refuses it.
	e.write(".amazonq/cli-agents/m.json", `{"name":"m","tools":["*"],
		"mcpServers":{"everything":{"command":"`+bin+`","args":["stdio"]}}}`)
	e.openai(toolTurn(tc("c1", "echo", `{"message":"x"}`)), text("no"))
	r = e.run("", "--model", "openai/m", "--agent", "m", "--trust-workspace", "--no-interactive", "echo it")
	if r.code != 1 || !strings.Contains(r.stderr, "@everything/echo") {
		t.Fatalf("untrusted MCP tool: %+v", r)
	}
}

// TestSessionAgentsMCPPromptsAndResources drives /agent, /mcp, /prompts,
// @prompt, /mcp attach, /context and /hooks through a piped session.
func TestSessionAgentsMCPPromptsAndResources(t *testing.T) {
	e := newEnv(t)
	bin := mcpServerBin(t, "mcp-server-everything")
	e.write(".amazonq/cli-agents/m.json", `{"name":"m","tools":["*"],
		"hooks":{"stop":[{"command":"true"}]},
		"mcpServers":{"everything":{"command":"`+bin+`","args":["stdio"]}}}`)
	e.write("notes.md", "NOTES-MARKER\n")
	s := e.openai(text("first"), text("prompt answered"), text("with resource"), text("with notes"))
	input := strings.Join([]string{
		"/agent list",
		"/agent swap m",
		"hello",
		"/mcp",
		"/prompts",
		"@args-prompt Paris France",
		"/mcp attach everything demo://resource/static/document/architecture.md",
		"what does the architecture say?",
		"/context add notes.md",
		"/context show",
		"/hooks",
		"/agent create helper",
		"and now?",
		"/quit",
	}, "\n") + "\n"
	r := e.run(input, "chat", "--model", "openai/m", "--trust-workspace")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	for _, want := range []string{"q_cli_default", "Switched to agent m", "everything", "ready", "args-prompt",
		"Attached demo://resource/static/document/architecture.md", "Added 1 path(s)", "notes.md", "stop", "Created"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests:\n%s", len(reqs), r.stderr)
	}
	if !strings.Contains(strings.Join(reqs[0].Tools, ","), "echo") {
		t.Fatalf("after /agent swap m the MCP tools are missing: %v", reqs[0].Tools)
	}
	last := reqs[1].Messages[len(reqs[1].Messages)-1].Text()
	if !strings.Contains(last, "Paris") || !strings.Contains(last, "France") {
		t.Fatalf("@args-prompt did not send the prompt's text: %q", last)
	}
	if !strings.Contains(reqs[2].System, "MCP resource everything") {
		t.Fatal("attached resource not in context")
	}
	if !strings.Contains(reqs[3].System, "NOTES-MARKER") {
		t.Fatal("/context add file not in context")
	}
	if _, err := os.Stat(filepath.Join(e.cwd, ".amazonq", "cli-agents", "helper.json")); err != nil {
		t.Fatal(err)
	}
}
