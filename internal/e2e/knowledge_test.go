package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// knowledgeProject writes docs/ with a file to find, a file under a
// denied folder and a git-ignored file, all holding the word searched,
// and an agent that denies fs_read the folder.
func knowledgeProject(e *env, denied ...string) {
	e.write("docs/guide.md", "The zebra protocol begins with a handshake.\n")
	e.write("docs/secret/key.md", "zebra private key\n")
	e.write("docs/.gitignore", "ignored.md\n")
	e.write("docs/ignored.md", "zebra ignored draft\n")
	deny := `"docs/secret"`
	for _, d := range denied {
		deny += `, "` + d + `"`
	}
	e.write(".amazonq/cli-agents/a.json", `{"name":"a","tools":["*"],"toolsSettings":{"fs_read":{"deniedPaths":[`+deny+`]}}}`)
}

// waitKnowledgeReady polls the agent's contexts.json until a base is ready.
func waitKnowledgeReady(t *testing.T, e *env) {
	t.Helper()
	pattern := filepath.Join(e.vars["XDG_DATA_HOME"], "qdev", "knowledge_bases", "a_*", "contexts.json")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if data, err := os.ReadFile(f); err == nil && strings.Contains(string(data), `"state": "ready"`) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no knowledge base became ready (%s)", pattern)
}

const searchZebra = `{"command":"search","query":"zebra"}`

// TestKnowledgeBasesThroughTheBinary: off until chat.enableKnowledge; then
// /knowledge add indexes in the background of an interactive session, the
// model's knowledge tool finds the file, never a denied or ignored one, the
// search is in the audit trail, the base persists into later sessions, and
// a file denied after indexing is withheld.
func TestKnowledgeBasesThroughTheBinary(t *testing.T) {
	e := newEnv(t)
	knowledgeProject(e)

	// Off by default: no tool, and /knowledge says how to turn it on.
	s := e.openai(text("hello"))
	r := e.run("/knowledge show\nhi\n/quit\n", "chat", "--model", "openai/m", "--agent", "a")
	if r.code != 0 || !strings.Contains(r.stderr, "q settings chat.enableKnowledge true") {
		t.Fatalf("disabled: %+v", r)
	}
	if tools := s.Requests()[0].Tools; slices.Contains(tools, "knowledge") {
		t.Fatalf("knowledge offered while off: %v", tools)
	}

	if r := e.run("", "settings", "chat.enableKnowledge", "true"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	s = e.openai(toolTurn(tc("c1", "knowledge", searchZebra)), text("found it"))
	term := e.startPTY("chat", "--model", "openai/m", "--agent", "a")
	term.expect("> ")
	term.send("/knowledge add docs docs\r")
	term.expect("in the background")
	term.expect("> ")
	waitKnowledgeReady(t, e)
	term.send("/knowledge show\r")
	term.expect("1 file • 1 item • Fast (BM25)")
	term.expect("ready")
	term.expect("left out: 1 denied by permissions, 1 ignored by .gitignore")
	term.send("where is zebra?\r")
	term.expect("found it")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, term.screen())
	}
	if !slices.Contains(s.Requests()[0].Tools, "knowledge") {
		t.Fatalf("knowledge not offered: %v", s.Requests()[0].Tools)
	}
	got, isErr := lastToolResult(t, s, 1)
	guide := filepath.Join(e.cwd, "docs", "guide.md")
	if isErr || !strings.Contains(got, guide) || !strings.Contains(got, "zebra protocol") {
		t.Fatalf("search result: %q", got)
	}
	for _, never := range []string{"private key", "secret", "ignored"} {
		if strings.Contains(got, never) {
			t.Fatalf("search result holds %q: %q", never, got)
		}
	}
	noViolations(t, s)
	r = e.run("", "audit", "lookup", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"EventName": "knowledge"`) || !strings.Contains(r.stdout, "zebra") {
		t.Fatalf("search not in the audit trail: %+v", r)
	}

	// A later session searches the same base, without indexing again.
	s = e.openai(toolTurn(tc("c1", "knowledge", searchZebra)), text("again"))
	if r := e.run("", "--model", "openai/m", "--agent", "a", "--no-interactive", "search"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, guide) {
		t.Fatalf("persisted base not searched: %q", got)
	}

	// Denied after it was indexed: judged again when returned.
	knowledgeProject(e, "docs/guide.md")
	s = e.openai(toolTurn(tc("c1", "knowledge", searchZebra)), text("nothing"))
	if r := e.run("", "--model", "openai/m", "--agent", "a", "--no-interactive", "search"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	got, _ = lastToolResult(t, s, 1)
	if strings.Contains(got, "zebra protocol") || strings.Contains(got, guide) || !strings.Contains(got, "1 more matches were withheld") {
		t.Fatalf("denied file quoted: %q", got)
	}

	// A q without its helper says what is missing, in one line.
	lone := filepath.Join(t.TempDir(), "q")
	data, err := os.ReadFile(qBin)
	if err != nil || os.WriteFile(lone, data, 0o755) != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lone, "chat", "--model", "openai/m", "--agent", "a")
	cmd.Dir, cmd.Env, cmd.Stdin = e.cwd, e.environ(), strings.NewReader("/knowledge add more docs\n/quit\n")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "qdev-knowledge is not installed next to q") {
		t.Fatalf("without the helper: %s", out)
	}
}
