package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionPapercuts: what a new user tripped over, through the built
// binary on a terminal: the first question is echoed, a command's unfinished
// output line and its exit status are shown, the saved report's path is
// shown, and wrong /model and /load arguments get plain answers.
func TestSessionPapercuts(t *testing.T) {
	e := newEnv(t)
	e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"printf partial; exit 3"}`)), text("ran it"),
		toolTurn(tc("c2", "report_issue", `{"title":"it broke","expected_behavior":"works","actual_behavior":"broke","steps_to_reproduce":"run"}`)), text("reported"))
	term := e.startPTY("chat", "--model", "openai/m", "--trust-tools=execute_bash", "run the thing")
	term.expect("> run the thing\r\n")
	term.expect("partial\r\n")
	term.expect("with exit status 3")
	term.expect("ran it")
	term.expect("> ")
	term.send("report it\r")
	term.expect("Allow this action?")
	term.send("y\r")
	term.expect("Issue report saved to " + e.home)
	term.expect("reported")
	term.expect("> ")
	term.send("/model 99\r")
	term.expect("There is no model 99")
	term.expect("> ")
	e.write("notes.json", `["not", "a", "conversation"]`)
	term.send("/load notes.json\r")
	term.expect("not a conversation saved by q: line 1, column 1: expected an object, found an array")
	term.expect("> ")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if out := term.screen(); strings.Contains(out, "agent.Conversation") || strings.Contains(out, "invalid model \"99\"") {
		t.Errorf("output names Go types or a wrong model message:\n%s", out)
	}
}

// TestOutputFormatNeedsNoInteractive: asking for JSON from an interactive
// session is a usage error, not silently text.
func TestOutputFormatNeedsNoInteractive(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "chat", "--model", "openai/m", "--output-format", "json", "hi")
	if r.code != 2 || strings.TrimSpace(r.stderr) == "" || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 || !strings.Contains(r.stderr, "--output-format json needs --no-interactive") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}

// TestStopHookBlocksTheEndOfATurn: a stop hook learns the session and the
// last answer, and its block decision makes the agent go on with its reason.
func TestStopHookBlocksTheEndOfATurn(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/gate.json", `{"name": "gate", "tools": ["*"],
	  "hooks": {"stop": [{"command": "cat >> stop-events.jsonl; echo >> stop-events.jsonl; test -e once || { touch once; echo '{\"decision\":\"block\",\"reason\":\"the tests were not run\"}'; }"}]}}`)
	s := e.openai(text("all done"), text("ran the tests, now done"))
	r := e.run("", "--model", "openai/m", "--agent", "gate", "--trust-workspace", "--no-interactive", "fix it")
	if r.code != 0 || !strings.Contains(r.stdout, "now done") {
		t.Fatalf("%+v", r)
	}
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	last := reqs[1].Messages[len(reqs[1].Messages)-1]
	if last.Text() != "the tests were not run" {
		t.Fatalf("the agent went on with %q", last.Text())
	}
	events, err := os.ReadFile(filepath.Join(e.cwd, "stop-events.jsonl"))
	if err != nil || !strings.Contains(string(events), `"assistant_response":"all done"`) || !strings.Contains(string(events), `"session_id":"`) || !strings.Contains(string(events), `"stop_hook_active":true`) {
		t.Fatalf("stop events %s %v", events, err)
	}
}
