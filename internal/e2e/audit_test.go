package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestKillingQWhileACommandRunsLeavesAnUnfinishedCall: the intent of a call
// is on disk before the command starts, so a q killed while the command
// runs leaves a trail that verify does not pass as clean.
func TestKillingQWhileACommandRunsLeavesAnUnfinishedCall(t *testing.T) {
	e := newEnv(t)
	fifo := filepath.Join(e.cwd, "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"echo $$ > started; exec sleep 30"}`)), text("never"))
	cmd := exec.Command(qBin, "--model", "openai/m", "--no-interactive", "--trust-all-tools", "go")
	cmd.Dir, cmd.Env = e.cwd, e.environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Opening the fifo waits for the command to write to it.
	out, err := os.ReadFile(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: q writes nothing more
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if pid, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil {
		_ = syscall.Kill(pid, syscall.SIGKILL) // the orphaned sleep
	}

	r := e.run("", "audit", "verify")
	if r.code != 1 || strings.Count(r.stdout, "UNFINISHED:") != 1 || !strings.Contains(r.stdout, "started, no outcome") {
		t.Fatalf("verify after q was killed mid-command: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = e.run("", "audit", "lookup", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `\"phase\":\"intent\"`) || !strings.Contains(r.stdout, "exec sleep 30") {
		t.Fatalf("lookup does not show the intent: %+v", r)
	}
	if len(s.Requests()) != 1 {
		t.Fatalf("%d model requests, want 1", len(s.Requests()))
	}
}
