package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model/modeltest"
)

// subagentTurn is a scripted turn of the conversation whose first message
// holds mark.
func subagentTurn(mark string, t modeltest.Turn) modeltest.Turn {
	t.Conversation = mark
	return t
}

// requestsOf returns the requests of the conversation whose first message
// holds mark.
func requestsOf(s *modeltest.Server, mark string) []modeltest.Recorded {
	var out []modeltest.Recorded
	for _, r := range s.Requests() {
		if len(r.Messages) > 0 && strings.Contains(r.Messages[0].Text(), mark) {
			out = append(out, r)
		}
	}
	return out
}

// auditRecords returns the records of the audit trail, decoded.
func auditRecords(t *testing.T, e *env) []map[string]any {
	t.Helper()
	r := e.run("", "audit", "lookup", "--format", "json")
	if r.code != 0 {
		t.Fatalf("audit lookup: %+v", r)
	}
	var out struct {
		Events []struct{ CloudTrailEvent string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for _, ev := range out.Events {
		var rec map[string]any
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// An orchestrator agent hands two tasks to subagents whose files are in
// .amazonq/cli-agents. They run with their own conversations; the one
// whose command the organisation denies is refused although both its own
// file and its parent allow the command; their output is labelled; the
// parent receives both final answers; the audit trail names the subagent
// of every call, and verifies.
func TestSubagentsRunUnderTheParentsGovernance(t *testing.T) {
	e := newEnv(t)
	e.vars["Q_MANAGED_SETTINGS"] = e.write("../managed.json", `{"deniedCommands": ["rm *"]}`)
	e.write(".amazonq/cli-agents/orchestrator.json", `{"name": "orchestrator", "tools": ["*"], "allowedTools": ["execute_bash"],
		"toolsSettings": {"subagent": {"availableAgents": ["reviewer", "tester"], "trustedAgents": ["reviewer", "tester"]}}}`)
	e.write(".amazonq/cli-agents/reviewer.json", `{"name": "reviewer", "description": "Reviews changes", "tools": ["shell", "read"], "allowedTools": ["shell"]}`)
	e.write(".amazonq/cli-agents/tester.json", `{"name": "tester", "tools": ["execute_bash"], "allowedTools": ["execute_bash"]}`)
	e.write("important.txt", "keep me")
	if r := e.run("", "settings", "chat.enableDelegate", "true"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	invoke := `{"command": "InvokeSubagents", "content": {"subagents": [
		{"agent_name": "reviewer", "query": "REVIEW-TASK: record the review"},
		{"agent_name": "tester", "query": "TEST-TASK: clean up", "relevant_context": "the file is important.txt"}]}}`
	s := e.openai(
		subagentTurn("ORCHESTRATE", toolTurn(tc("p1", "use_subagent", invoke))),
		subagentTurn("REVIEW-TASK", toolTurn(tc("r1", "execute_bash", `{"command": "echo reviewed > reviewed.txt && echo REVIEW-OUTPUT"}`))),
		subagentTurn("REVIEW-TASK", text("REVIEW-ANSWER: looks good")),
		subagentTurn("TEST-TASK", toolTurn(tc("t1", "execute_bash", `{"command": "rm -rf important.txt"}`))),
		subagentTurn("TEST-TASK", text("TEST-ANSWER: could not delete")),
		subagentTurn("ORCHESTRATE", text("ALL DONE")),
	)
	r := e.run("", "chat", "--model", "openai/m", "--agent", "orchestrator", "--trust-workspace", "--no-interactive", "ORCHESTRATE the work")
	if r.code != 0 || !strings.Contains(r.stdout, "ALL DONE") {
		t.Fatalf("q chat: %+v", r)
	}
	noViolations(t, s)

	// The parent offers use_subagent; the subagents do not, and have
	// their own files' tools.
	parent := requestsOf(s, "ORCHESTRATE")
	reviewer, tester := requestsOf(s, "REVIEW-TASK"), requestsOf(s, "TEST-TASK")
	if len(parent) != 2 || len(reviewer) != 2 || len(tester) != 2 {
		t.Fatalf("requests: parent %d, reviewer %d, tester %d", len(parent), len(reviewer), len(tester))
	}
	if !slices.Contains(parent[0].Tools, "use_subagent") || slices.Contains(tester[0].Tools, "use_subagent") ||
		!slices.Equal(tester[0].Tools, []string{"execute_bash"}) || !slices.Equal(reviewer[0].Tools, []string{"fs_read", "execute_bash"}) {
		t.Fatalf("tools: parent %v, reviewer %v, tester %v", parent[0].Tools, reviewer[0].Tools, tester[0].Tools)
	}
	if len(tester[0].Messages) != 1 || !strings.Contains(tester[0].Messages[0].Text(), "the file is important.txt") {
		t.Fatalf("the tester's conversation: %+v", tester[0].Messages)
	}

	// The organisation's deniedCommands applies to the subagent.
	// (The OpenAI protocol carries no error flag on tool results.)
	denied, _, _ := toolResultIn(tester[1].Messages)
	if !strings.Contains(denied, "rejected") || !strings.Contains(denied, `deniedCommands "rm *"`) {
		t.Fatalf("the tester's rm: %q", denied)
	}
	if b, err := os.ReadFile(filepath.Join(e.cwd, "important.txt")); err != nil || string(b) != "keep me" {
		t.Fatalf("important.txt: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(e.cwd, "reviewed.txt")); err != nil {
		t.Fatalf("the reviewer's command did not run: %v", err)
	}

	// The parent gets both final answers, labelled.
	result, _, _ := toolResultIn(parent[1].Messages)
	if !strings.Contains(result, "## Subagent reviewer (agent reviewer): completed\nREVIEW-ANSWER: looks good") ||
		!strings.Contains(result, "## Subagent tester (agent tester): completed\nTEST-ANSWER: could not delete") {
		t.Fatalf("use_subagent result: %q", result)
	}

	// Their output reached the user labelled.
	for _, want := range []string{"[reviewer] 🛠  execute_bash", "[reviewer] │ REVIEW-OUTPUT", "[reviewer] REVIEW-ANSWER: looks good",
		"[tester] ✗ execute_bash (denied by rule)", "[tester] TEST-ANSWER: could not delete"} {
		if !strings.Contains(r.stderr+r.stdout, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, r.stderr, r.stdout)
		}
	}

	// The audit trail names the subagent of each call.
	var sawDeny, sawAllow, sawParent bool
	for _, rec := range auditRecords(t, e) {
		sub, _ := rec["subagent"].(string)
		params, _ := json.Marshal(rec["requestParameters"])
		switch {
		case sub == "tester" && rec["decision"] == "deny":
			sawDeny = rec["layer"] == "managed" && strings.Contains(string(params), "rm -rf important.txt")
		case sub == "reviewer" && rec["decision"] == "allow" && rec["phase"] == "outcome":
			sawAllow = strings.Contains(string(params), "reviewed.txt")
		case sub == "" && rec["tool"] == "use_subagent" && rec["phase"] == "outcome":
			sawParent = rec["agent"] == "orchestrator" && rec["rule"] == "toolsSettings.use_subagent.trustedAgents"
		}
	}
	if !sawDeny || !sawAllow || !sawParent {
		t.Fatalf("audit: tester's denial %v, reviewer's run %v, the parent's use_subagent %v", sawDeny, sawAllow, sawParent)
	}
	if r := e.run("", "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %+v", r)
	}
}

// Without the experiment the tool is not offered; an agent the parent's
// availableAgents leaves out is refused; a subagent that needs approval
// in --no-interactive stops, and the parent hears why.
func TestSubagentExperimentAndRefusals(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/orchestrator.json", `{"name": "orchestrator", "tools": ["*"], "allowedTools": ["execute_bash"],
		"toolsSettings": {"use_subagent": {"availableAgents": ["reviewer"], "trustedAgents": ["reviewer"]}}}`)
	e.write(".amazonq/cli-agents/reviewer.json", `{"name": "reviewer", "tools": ["execute_bash"]}`)
	e.write(".amazonq/cli-agents/deployer.json", `{"name": "deployer", "tools": ["*"], "allowedTools": ["*"]}`)
	s := e.openai(text("no subagents"))
	if r := e.run("", "chat", "--model", "openai/m", "--agent", "orchestrator", "--trust-workspace", "--no-interactive", "hi"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if tools := s.Requests()[0].Tools; slices.Contains(tools, "use_subagent") {
		t.Fatalf("use_subagent offered with the experiment off: %v", tools)
	}

	if r := e.run("", "settings", "chat.enableDelegate", "true"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	deploy := `{"command": "InvokeSubagents", "content": {"subagents": [{"agent_name": "deployer", "query": "DEPLOY-TASK"}]}}`
	review := `{"command": "InvokeSubagents", "content": {"subagents": [{"agent_name": "reviewer", "query": "REVIEW-TASK"}]}}`
	s = e.openai(
		subagentTurn("MAIN", toolTurn(tc("p1", "use_subagent", deploy))),
		subagentTurn("MAIN", toolTurn(tc("p2", "use_subagent", review))),
		// The reviewer's file does not trust execute_bash: the call asks,
		// which --no-interactive refuses, although the parent trusts it.
		subagentTurn("REVIEW-TASK", toolTurn(tc("r1", "execute_bash", `{"command": "echo hi"}`))),
		subagentTurn("MAIN", text("MAIN DONE")),
	)
	r := e.run("", "chat", "--model", "openai/m", "--agent", "orchestrator", "--trust-workspace", "--no-interactive", "MAIN")
	if r.code != 0 || !strings.Contains(r.stdout, "MAIN DONE") {
		t.Fatalf("%+v", r)
	}
	noViolations(t, s)
	main := requestsOf(s, "MAIN")
	if len(main) != 3 || len(requestsOf(s, "DEPLOY-TASK")) != 0 {
		t.Fatalf("requests: main %d, deployer %d", len(main), len(requestsOf(s, "DEPLOY-TASK")))
	}
	refused, _, _ := toolResultIn(main[1].Messages)
	if !strings.Contains(refused, "rejected: not in toolsSettings.use_subagent.availableAgents: deployer") {
		t.Fatalf("deployer: %q", refused)
	}
	stopped, _, _ := toolResultIn(main[2].Messages)
	if !strings.Contains(stopped, "## Subagent reviewer (agent reviewer): failed: tool approval required") {
		t.Fatalf("reviewer: %q", stopped)
	}
}

// Interactively, starting agents that trustedAgents does not name asks
// first; the subagents' own questions come one at a time, each headed by
// the subagent's name; Ctrl-C at one subagent's question stops the other
// too and ends the turn, and the session goes on.
func TestSubagentQuestionsInteractive(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/orchestrator.json", `{"name": "orchestrator", "tools": ["*"], "allowedTools": ["execute_bash"]}`)
	e.write(".amazonq/cli-agents/reviewer.json", `{"name": "reviewer", "tools": ["execute_bash"]}`)
	e.write(".amazonq/cli-agents/tester.json", `{"name": "tester", "tools": ["execute_bash"]}`)
	if r := e.run("", "settings", "chat.enableDelegate", "true"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	both := `{"command": "InvokeSubagents", "content": {"subagents": [
		{"agent_name": "reviewer", "query": "REVIEW-TASK"}, {"agent_name": "tester", "query": "TEST-TASK"}]}}`
	again := `{"command": "InvokeSubagents", "content": {"subagents": [
		{"agent_name": "reviewer", "query": "SECOND-REVIEW"}, {"agent_name": "tester", "query": "SECOND-TEST"}]}}`
	hang := TurnHang("still testing")
	s := e.openai(
		subagentTurn("FIRST", toolTurn(tc("p1", "use_subagent", both))),
		subagentTurn("REVIEW-TASK", toolTurn(tc("r1", "execute_bash", `{"command": "echo r > r.txt"}`))),
		subagentTurn("REVIEW-TASK", text("REVIEWED")),
		subagentTurn("TEST-TASK", toolTurn(tc("t1", "execute_bash", `{"command": "echo t > t.txt"}`))),
		subagentTurn("TEST-TASK", text("TESTED")),
		subagentTurn("FIRST", text("FIRST DONE")),
		// The session's conversation began with FIRST: its turns all match that.
		subagentTurn("FIRST", toolTurn(tc("p2", "use_subagent", again))),
		subagentTurn("SECOND-REVIEW", toolTurn(tc("r2", "execute_bash", `{"command": "echo r2 > r2.txt"}`))),
		subagentTurn("SECOND-TEST", hang),
	)
	term := e.startPTY("chat", "--model", "openai/m", "--agent", "orchestrator", "--trust-workspace")
	term.expect("> ")
	term.send("FIRST\r")
	term.expect("Start 2 subagent(s)")
	term.expect("Allow this action?")
	term.send("y\r")
	for range 2 {
		term.expect("] asks to use execute_bash:")
		term.expect("Allow this action?")
		term.send("y\r")
	}
	term.expect("FIRST DONE")
	for _, f := range []string{"r.txt", "t.txt"} {
		if _, err := os.Stat(filepath.Join(e.cwd, f)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}

	term.send("SECOND\r")
	term.expect("Allow this action?")
	term.send("y\r")
	term.expect("[reviewer] asks to use execute_bash:")
	term.expect("Allow this action?")
	// The tester is waiting for its model when Ctrl-C comes.
	waitReq(t, s, "SECOND-TEST")
	term.send("\x03")
	term.expect("(interrupted)")
	term.expect("> ")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(e.cwd, "r2.txt")); err == nil {
		t.Fatal("the interrupted call ran")
	}
	if n := len(requestsOf(s, "FIRST")); n != 3 {
		t.Fatalf("the parent made %d requests, want 3: none after the interrupted call", n)
	}
	noViolations(t, s)
}

// waitReq waits until the conversation marked mark has sent a request.
func waitReq(t *testing.T, s *modeltest.Server, mark string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(requestsOf(s, mark)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no request of %s", mark)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
