package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model/modeltest"
)

func TestVersion(t *testing.T) {
	e := newEnv(t)
	for _, arg := range []string{"--version", "-V"} {
		if r := e.run("", arg); r.code != 0 || !strings.HasPrefix(r.stdout, "qdev ") {
			t.Fatalf("%s: %+v", arg, r)
		}
	}
}

func TestTrustFlagsMakeFsReadAsk(t *testing.T) {
	read := tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"}]}`)
	for _, flags := range [][]string{{"--trust-tools="}, {"--untrust-fs-read"}} {
		e := newEnv(t)
		e.write("a.txt", "secret\n")
		e.openai(toolTurn(read), text("nope"))
		args := append([]string{"--model", "openai/m", "--no-interactive"}, flags...)
		r := e.run("", append(args, "read it")...)
		if r.code != 1 || !strings.Contains(r.stderr, "fs_read needs approval") {
			t.Fatalf("%v: exit %d stderr %q", flags, r.code, r.stderr)
		}
	}
}

func TestDeniedPathAndBadModel(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/a.json", `{"name":"a","tools":["*"],
		"toolsSettings":{"fs_write":{"deniedPaths":["secrets"]}}}`)
	s := e.openai(toolTurn(tc("c1", "fs_write", `{"command":"create","path":"secrets/key","file_text":"x"}`)), text("ok"))
	r := e.run("", "--model", "openai/m", "--agent", "a", "--trust-all-tools", "--no-interactive", "write")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(filepath.Join(e.cwd, "secrets")); !os.IsNotExist(err) {
		t.Fatal("write to a denied path happened")
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "deniedPaths") {
		t.Fatalf("result %q", got)
	}
	for _, ref := range []string{"gpt-4.1", "acme/model"} {
		r := e.run("", "--model", ref, "--no-interactive", "x")
		if r.code != 1 || !strings.Contains(r.stderr, ref) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Fatalf("%s: %+v", ref, r)
		}
	}
}

func TestAutoCompactionBeforeTheWindowOverflows(t *testing.T) {
	e := newEnv(t)
	s := e.openai(
		modeltest.Turn{Text: []string{"first"}, Usage: &modelUsageBig},
		text("SUMMARY-OF-EARLIER"),
		text("second"),
	)
	for _, kv := range [][2]string{{"chat.contextWindow", "10000"}, {"chat.autoCompactPercent", "80"}} {
		if r := e.run("", "settings", kv[0], kv[1]); r.code != 0 {
			t.Fatalf("settings: %+v", r)
		}
	}
	if r := e.run("", "--model", "openai/m", "--no-interactive", "one"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r := e.run("", "--model", "openai/m", "--no-interactive", "--resume", "two")
	if r.code != 0 || !strings.Contains(r.stdout, "second") || !strings.Contains(r.stderr, "compacting") {
		t.Fatalf("%+v", r)
	}
	reqs := s.Requests()
	if !strings.Contains(reqs[1].Messages[len(reqs[1].Messages)-1].Text(), "summarization request") {
		t.Fatalf("request 2 is not a summary request")
	}
	if !strings.Contains(reqs[2].System, "SUMMARY-OF-EARLIER") || len(reqs[2].Messages) != 1 {
		t.Fatalf("after compaction: %d messages, system has summary: %v", len(reqs[2].Messages), strings.Contains(reqs[2].System, "SUMMARY"))
	}
}

// TestPipedSessionCommands drives the interactive session through a pipe.
func TestPipedSessionCommands(t *testing.T) {
	e := newEnv(t)
	s := e.openai(text("answer one"), text("answer two"), text("SUMMARY-TEXT"))
	input := strings.Join([]string{
		"question one",
		"/save conv.json",
		"/save conv.json",
		"/bogus",
		"/help editor",
		"/clear",
		"/load conv.json",
		"question two",
		"/compact keep it short",
		"/usage",
		"/quit",
	}, "\n") + "\n"
	r := e.run(input, "chat", "--model", "openai/m")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	for _, want := range []string{"Saved the conversation", "already exists", "Unknown command /bogus", "/editor [text]",
		"Started a new conversation", "Loaded 2 messages"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	var saved map[string]any
	data, err := os.ReadFile(filepath.Join(e.cwd, "conv.json"))
	if err != nil || json.Unmarshal(data, &saved) != nil {
		t.Fatalf("saved file: %v %s", err, data)
	}
	msgs := s.Requests()[1].Messages
	if len(msgs) != 3 || msgs[0].Text() != "question one" || msgs[2].Text() != "question two" {
		t.Fatalf("loaded history not sent: %+v", msgs)
	}
	if !strings.Contains(r.stdout, "SUMMARY-TEXT") || !strings.Contains(r.stderr, "Context window") {
		t.Fatalf("/compact or /usage output missing:\n%s\n%s", r.stdout, r.stderr)
	}
	sum := s.Requests()[2].Messages
	if !strings.Contains(sum[len(sum)-1].Text(), "IMPORTANT CUSTOM INSTRUCTION: keep it short") {
		t.Fatalf("compact instructions not sent")
	}
}

func TestLogLevelAndImagePrompt(t *testing.T) {
	e := newEnv(t)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	if err := os.WriteFile(filepath.Join(e.cwd, "shot.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	s := e.openai(text("a picture"))
	e.vars["Q_LOG_LEVEL"] = "debug"
	if r := e.run("", "--model", "openai/m", "--no-interactive", "what is in shot.png?"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	blocks := s.Requests()[0].Messages[0].Content
	found := false
	for _, b := range blocks {
		found = found || (b.Type == "image" && b.MediaType == "image/png")
	}
	if !found {
		t.Fatalf("image not sent: %+v", blocks)
	}
	log, err := os.ReadFile(filepath.Join(e.vars["XDG_RUNTIME_DIR"], "qlog", "qchat.log"))
	if err != nil || !strings.Contains(string(log), "model call") {
		t.Fatalf("debug log: %v %q", err, log)
	}
}

// TestShellEscapeIsTheUsers: !cmd is the user's own command, so it is not
// sent to the model and does not carry the AI marker.
func TestShellEscapeIsTheUsers(t *testing.T) {
	e := newEnv(t)
	s := e.openai(text("unused"))
	r := e.run("!echo marker=[$AWS_EXECUTION_ENV]\n/quit\n", "chat", "--model", "openai/m")
	if r.code != 0 || !strings.Contains(r.stdout, "marker=[]") {
		t.Fatalf("%+v", r)
	}
	if len(s.Requests()) != 0 {
		t.Fatal("the shell escape reached the model")
	}
}
