package e2e

import (
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

// TestTangentModeKeepsTheMainConversationClean: Ctrl-T starts a side
// conversation that sees the main one; leaving it with /tangent sends
// nothing of it to the model afterwards; /tangent tail keeps only its last
// question and answer; --resume finds the main conversation.
func TestTangentModeKeepsTheMainConversationClean(t *testing.T) {
	e := newEnv(t)
	if r := e.run("", "settings", "chat.enableTangentMode", "true"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	s := e.openai(text("main answer"), text("side answer"), text("after discard"),
		text("second side answer"), text("after tail"), text("resumed"))
	term := e.startPTY("chat", "--model", "openai/m")
	term.expect("> ")
	term.send("main question\r")
	term.expect("main answer")
	term.expect("> ")
	term.send("\x14") // Ctrl-T
	term.expect("↯ Tangent")
	term.expect("↯ tangent > ")
	term.send("side question\r")
	term.expect("side answer")
	term.expect("↯ tangent > ")
	term.send("/tangent\r")
	term.expect("Back to the main conversation; the tangent is left out of it")
	term.send("next question\r")
	term.expect("after discard")
	term.expect("> ")
	term.send("/tangent\r")
	term.expect("↯ tangent > ")
	term.send("second side question\r")
	term.expect("second side answer")
	term.send("/tangent tail\r")
	term.expect("with the tangent's last question and answer")
	term.send("last question\r")
	term.expect("after tail")
	term.expect("> ")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	reqs := s.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests, want 5", len(reqs))
	}
	if got := texts(reqs[1].Messages); !strings.Contains(got, "main question") {
		t.Fatalf("the tangent did not start from the main context: %s", got)
	}
	if got := texts(reqs[2].Messages); strings.Contains(got, "side") {
		t.Fatalf("the discarded tangent reached the main conversation: %s", got)
	}
	got := texts(reqs[4].Messages)
	if !strings.Contains(got, "second side question|second side answer") || strings.Contains(got, "side question|side answer") {
		t.Fatalf("tail kept the wrong messages: %s", got)
	}
	r := e.run("", "--model", "openai/m", "--no-interactive", "--resume", "again")
	if r.code != 0 || !strings.Contains(r.stdout, "resumed") {
		t.Fatalf("resume: %+v", r)
	}
	if got := texts(s.Requests()[5].Messages); strings.Contains(got, "|side question") || !strings.Contains(got, "last question") {
		t.Fatalf("the stored conversation is not the main one: %s", got)
	}
	noViolations(t, s)
}

// texts joins the text of msgs with "|".
func texts(msgs []model.Message) string {
	var parts []string
	for _, m := range msgs {
		if t := m.Text(); t != "" {
			parts = append(parts, t)
		}
	}
	return "|" + strings.Join(parts, "|")
}
