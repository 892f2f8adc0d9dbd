package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
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
	deadline := time.Now().Add(20 * time.Second)
	for len(s.Requests()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	_ = cmd.Process.Kill() // SIGKILL
	_ = cmd.Wait()

	db := filepath.Join(e.home, ".local", "share", "qdev", "qdev.sqlite3")
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
	if got, _ := lastToolResultIn(msgs); !strings.Contains(got, "alpha") {
		t.Fatalf("tool work of the killed turn lost: %q", all)
	}
	noViolations(t, s)
}

func lastToolResultIn(msgs []modelMessage) (string, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, b := range msgs[i].Content {
			if b.Type == "tool_result" {
				var sb strings.Builder
				for _, c := range b.Content {
					sb.WriteString(c.Text)
				}
				return sb.String(), b.IsError
			}
		}
	}
	return "", false
}
