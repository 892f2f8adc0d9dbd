//go:build unix

package mcp

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/proctest"
)

// readPid waits until the server wrote its pid into path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the server never wrote %s", path)
	return 0
}

// TestMain lets a test run this binary as a stand-in for q: with
// QDEV_MCP_EXIT_AFTER_CLOSE set it starts the servers described there,
// closes the manager as q does on exit, and exits at once, so anything
// Close leaves to a goroutine would never happen.
func TestMain(m *testing.M) {
	if spec := os.Getenv("QDEV_MCP_EXIT_AFTER_CLOSE"); spec != "" {
		exitAfterClose(spec)
	}
	os.Exit(m.Run())
}

// exitAfterClose runs a Manager with one stdio server, "<wait-file>\x1f<state>\x1f<command>\x1f<args>...":
// once <wait-file> exists and the server is in <state>, it closes and exits.
func exitAfterClose(spec string) {
	f := strings.Split(spec, "\x1f")
	m := Start(context.Background(), []ServerConfig{{Name: "s", Type: TypeStdio, Command: f[2], Args: f[3:], Timeout: time.Minute}}, Options{})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(f[0]); err == nil && m.Status()[0].State == f[1] {
			m.Close()
			os.Exit(0)
		}
		time.Sleep(10 * time.Millisecond)
	}
	os.Exit(3)
}

// closeKillsGroup runs a stand-in q with a server that writes its pid (its
// process group) to <dir>/pid after starting a background sleep, and
// checks that once the stand-in exited no process of that group is left.
func closeKillsGroup(t *testing.T, state string, command ...string) {
	t.Helper()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	script := `sleep 300 & echo $$ > ` + pidFile + `; ` + strings.Join(command, " ")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "QDEV_MCP_EXIT_AFTER_CLOSE="+strings.Join([]string{pidFile, state, "sh", "-c", script}, "\x1f"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("stand-in q: %v\n%s", err, out)
	}
	proctest.WaitGone(t, readPid(t, pidFile), "the MCP server")
}

// TestExitKillsStartingServer: a server that never answers initialize is
// killed with its background child when q closes the manager and exits.
func TestExitKillsStartingServer(t *testing.T) {
	closeKillsGroup(t, StateLoading, "cat >/dev/null")
}

// TestExitKillsReadyServer: a running server's background child dies with
// it when q exits.
func TestExitKillsReadyServer(t *testing.T) {
	closeKillsGroup(t, StateReady, "exec", serverBin(t, "mcp-server-everything"), "stdio")
}
