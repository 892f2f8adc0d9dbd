package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKill9MidTurnLosesAtMostThatTurn kills q while the model is answering
// the second turn; the first turn and the tool work of the second must
// survive, and the store must open cleanly.
func TestKill9MidTurnLosesAtMostThatTurn(t *testing.T) {
	e := newEnv(t)
	e.write("a.txt", "alpha\n")
	s := e.openai(
		text("first answer"),
		toolTurn(tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"}]}`)),
		TurnHang("partial"),
		text("resumed fine"),
	)
	if r := e.run("", "--model", "openai/m", "--no-interactive", "turn one"); r.code != 0 {
		t.Fatalf("turn one: %+v", r)
	}
	cmd := exec.Command(qBin, "--model", "openai/m", "--no-interactive", "--resume", "turn two")
	cmd.Dir, cmd.Env = e.cwd, e.environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The tool round is saved in the background while the third request
	// goes out; kill once the save is visible, mid-answer.
	db := filepath.Join(e.home, ".local", "share", "qdev", "qdev.sqlite3")
	saved := func() bool {
		out, _ := exec.Command("sqlite3", db, "SELECT count(*) FROM conversations WHERE CAST(data AS TEXT) LIKE '%alpha%';").Output()
		return strings.TrimSpace(string(out)) == "1"
	}
	deadline := time.Now().Add(20 * time.Second)
	for (len(s.Requests()) < 3 || !saved()) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Kill() // SIGKILL
	_ = cmd.Wait()

	if out, err := exec.Command("sqlite3", db, "PRAGMA integrity_check;").CombinedOutput(); err == nil && strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("integrity_check: %s", out)
	}
	r := e.run("", "--model", "openai/m", "--no-interactive", "--resume", "turn three")
	if r.code != 0 || !strings.Contains(r.stdout, "resumed fine") {
		t.Fatalf("resume after kill: %+v", r)
	}
	msgs := s.Requests()[3].Messages
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text())
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"turn one", "first answer", "turn two", "turn three"} {
		if !strings.Contains(all, want) {
			t.Fatalf("history after kill lacks %q: %q", want, all)
		}
	}
	if got, _, _ := toolResultIn(msgs); !strings.Contains(got, "alpha") {
		t.Fatalf("tool work of the killed turn lost: %q", all)
	}
	noViolations(t, s)
}

// TestSIGTERMStopsToolsOfAHeadlessRun: killing a --no-interactive run
// politely also ends the commands it started, which live in their own
// process groups.
func TestSIGTERMStopsToolsOfAHeadlessRun(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(e.cwd, "still-running")
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"sleep 30; touch `+marker+`"}`)), text("never"))
	cmd := exec.Command(qBin, "--model", "openai/m", "--no-interactive", "--trust-all-tools", "go")
	cmd.Dir, cmd.Env = e.cwd, e.environ()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitRunning("sleep 30; touch "+marker, 20*time.Second) {
		t.Fatal("the tool's command never started")
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v", err)
	}
	if out := waitGone("sleep 30; touch "+marker, 5*time.Second); len(out) > 0 {
		t.Fatalf("the tool outlived q: %s", out)
	}
	if len(s.Requests()) != 1 {
		t.Fatalf("%d requests", len(s.Requests()))
	}
}

// waitGone polls until no process's command line contains pattern, and
// returns what pgrep still lists when the deadline passes (nil when gone).
func waitGone(pattern string, within time.Duration) []byte {
	deadline := time.Now().Add(within)
	for {
		out, _ := exec.Command("pgrep", "-f", pattern).Output()
		if len(out) == 0 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRunning polls until a process's command line contains pattern.
func waitRunning(pattern string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if out, _ := exec.Command("pgrep", "-f", pattern).Output(); len(out) > 0 {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
