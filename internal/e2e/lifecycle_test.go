//go:build unix

package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/proctest"
)

// TestExitLeavesNoServerOrHook: q exits while an MCP server is still
// starting (it never answers initialize) and a hook has a child in the
// background; afterwards no process of either group is left.
func TestExitLeavesNoServerOrHook(t *testing.T) {
	e := newEnv(t)
	srvPid, hookPid := filepath.Join(e.cwd, "srv.pid"), filepath.Join(e.cwd, "hook.pid")
	e.write(".amazonq/cli-agents/a.json", `{"name":"a","tools":["*"],
		"hooks":{"agentSpawn":[{"command":"sleep 300 & echo $$ > `+hookPid+`"}]},
		"mcpServers":{"slow":{"command":"sh","args":["-c","sleep 300 & echo $$ > `+srvPid+`; cat >/dev/null"],"timeout":120000}}}`)
	if r := e.run("", "settings", "mcp.noInteractiveTimeout", "300"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	e.openai(text("done"))
	if r := e.run("", "--model", "openai/m", "--agent", "a", "--trust-workspace", "--no-interactive", "hi"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	for _, f := range []string{srvPid, hookPid} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pgid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		proctest.WaitGone(t, pgid, filepath.Base(f))
	}
}
