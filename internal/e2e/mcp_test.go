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
	r := e.run("", "--model", "openai/m", "--agent", "m", "--no-interactive", "echo it")
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
	r = e.run("", "--model", "openai/m", "--agent", "m", "--no-interactive", "echo it")
	if r.code != 1 || !strings.Contains(r.stderr, "@everything/echo") {
		t.Fatalf("untrusted MCP tool: %+v", r)
	}
}
