package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model/modeltest"
)

func TestNoModelConfiguredSaysHowInOneLine(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "chat", "--no-interactive", "hello")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "--model") || !strings.Contains(lines[0], "chat.defaultModel") {
		t.Fatalf("stderr = %q", r.stderr)
	}
}

func TestNoInteractiveAnswerFromArgumentAndStdin(t *testing.T) {
	e := newEnv(t)
	s := e.openai(text("Hello", ", world"), text("from stdin"))
	r := e.run("", "chat", "--model", "openai/gpt-4.1", "--no-interactive", "hi there")
	if r.code != 0 || r.stdout != "Hello, world\n" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = e.run("question on stdin\n", "--model", "openai/gpt-4.1", "--no-interactive")
	if r.code != 0 || !strings.Contains(r.stdout, "from stdin") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	reqs := s.Requests()
	if reqs[0].Model != "gpt-4.1" || reqs[0].Messages[0].Text() != "hi there" || reqs[1].Messages[0].Text() != "question on stdin" {
		t.Fatalf("requests = %+v", reqs)
	}
	if !strings.Contains(reqs[0].System, e.cwd) {
		t.Fatalf("system prompt lacks the working directory")
	}
	noViolations(t, s)
}

func TestDefaultModelSettingAndFsReadTrustedInCwd(t *testing.T) {
	e := newEnv(t)
	e.write("notes.txt", "line one\nline two\n")
	s := e.openai(
		toolTurn(tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"notes.txt"}]}`),
			tc("c2", "fs_read", `{"operations":[{"mode":"Search","path":"notes.txt","pattern":"TWO"}]}`)),
		text("It says line one."),
	)
	if r := e.run("", "settings", "chat.defaultModel", "openai/gpt-4.1"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	r := e.run("", "--no-interactive", "what is in notes.txt?")
	if r.code != 0 || !strings.Contains(r.stdout, "It says line one.") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	got, isErr := lastToolResult(t, s, 1)
	if isErr || !strings.Contains(got, "line two") {
		t.Fatalf("tool result %q (error %v)", got, isErr)
	}
	results := s.Requests()[1].Messages[2].Content
	if len(results) != 2 || !strings.Contains(results[1].Content[0].Text, "→ ") {
		t.Fatalf("second call of the turn: %+v", results)
	}
	noViolations(t, s)
}

func TestNoInteractiveNeverApprovesSilently(t *testing.T) {
	e := newEnv(t)
	target := filepath.Join(e.cwd, "out.txt")
	input := `{"command":"create","path":"out.txt","file_text":"hello\n"}`
	e.openai(toolTurn(tc("c1", "fs_write", input)), text("never reached"))
	r := e.run("", "--model", "openai/m", "--no-interactive", "write it")
	if r.code != 1 || !strings.Contains(r.stderr, "--no-interactive") || !strings.Contains(r.stderr, "fs_write") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("file was written without approval")
	}

	e2 := newEnv(t)
	s := e2.openai(toolTurn(tc("c1", "fs_write", input)), text("written"))
	r = e2.run("", "--model", "openai/m", "--no-interactive", "--trust-tools=fs_write", "write it")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(e2.cwd, "out.txt")); err != nil || string(b) != "hello\n" {
		t.Fatalf("file = %q, %v", b, err)
	}
	noViolations(t, s)
}

func TestDenyRuleWinsOverTrustAll(t *testing.T) {
	e := newEnv(t)
	victim := e.write("keep.txt", "precious")
	e.write(".amazonq/cli-agents/safe.json", `{"name":"safe","tools":["*"],
		"toolsSettings":{"execute_bash":{"deniedCommands":["rm .*"]}}}`)
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"ls && rm -f keep.txt"}`)), text("could not"))
	r := e.run("", "--model", "openai/m", "--agent", "safe", "--trust-all-tools", "--no-interactive", "clean up")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Fatalf("denied command ran: %v", err)
	}
	// OpenAI's wire format has no error flag on tool results: the text tells.
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "rejected") || !strings.Contains(got, "deniedCommands") {
		t.Fatalf("tool result %q", got)
	}
}

func TestBrokenToolJSONIsCorrectable(t *testing.T) {
	e := newEnv(t)
	e.write("a.txt", "alpha\n")
	s := e.openai(
		toolTurn(tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"`)),
		toolTurn(tc("c2", "no_such_tool", `{}`)),
		toolTurn(tc("c3", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"}]}`)),
		text("alpha it is"),
	)
	r := e.run("", "--model", "openai/m", "--no-interactive", "read a.txt")
	if r.code != 0 || !strings.Contains(r.stdout, "alpha it is") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	for i, want := range []string{"not valid JSON", `No tool with "no_such_tool"`} {
		if got, _ := lastToolResult(t, s, i+1); !strings.Contains(got, want) {
			t.Errorf("request %d: result %q, want error with %q", i+1, got, want)
		}
	}
	if got, _ := lastToolResult(t, s, 3); !strings.Contains(got, "alpha") {
		t.Fatalf("corrected call result %q", got)
	}
	noViolations(t, s)
}

func TestOutputFormats(t *testing.T) {
	e := newEnv(t)
	e.write("a.txt", "alpha\n")
	e.openai(
		toolTurn(tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"}]}`)),
		modeltest.Turn{Text: []string{"final ", "answer"}, Usage: &modelUsage},
		text("json answer"),
	)
	r := e.run("", "--model", "openai/m", "--no-interactive", "--output-format", "stream-json", "go")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	var types []string
	var final map[string]any
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		types = append(types, ev["type"].(string))
		final = ev
	}
	joined := strings.Join(types, ",")
	for _, want := range []string{"init", "tool_use", "tool_result", "text", "result"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("events %s lack %s", joined, want)
		}
	}
	if final["type"] != "result" || final["result"] != "final answer" || final["is_error"] != false {
		t.Fatalf("final event %v", final)
	}

	r = e.run("", "--model", "openai/m", "--no-interactive", "--output-format", "json", "again")
	var res map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
		t.Fatalf("json output %q: %v (exit %d)", r.stdout, err, r.code)
	}
	if res["result"] != "json answer" || res["conversation_id"] == "" || res["usage"] == nil {
		t.Fatalf("json result %v", res)
	}
}

func TestInvalidOutputFormatAndSettingsFile(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "--model", "openai/m", "--no-interactive", "--output-format", "xml", "x")
	if r.code == 0 || !strings.Contains(r.stderr, "output-format") {
		t.Fatalf("%+v", r)
	}
	cfg := filepath.Join(e.home, ".config", "qdev", "settings.json")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("{\"chat.defaultModel\": \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.run("", "--no-interactive", "x")
	if r.code != 1 || !strings.Contains(r.stderr, cfg) || strings.Contains(r.stderr, "goroutine") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(cfg); string(b) != "{\"chat.defaultModel\": \n" {
		t.Fatalf("settings file was modified: %q", b)
	}
}

func TestUnreachableProvider(t *testing.T) {
	e := newEnv(t)
	e.vars["OPENAI_BASE_URL"] = "http://127.0.0.1:1/v1"
	e.vars["OPENAI_API_KEY"] = "k"
	r := e.run("", "--model", "openai/m", "--no-interactive", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1:1") || strings.Contains(r.stderr, "panic") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestRetryOnThrottlingIsVisible(t *testing.T) {
	e := newEnv(t)
	s := e.openai(modeltest.Turn{Status: 429}, modeltest.Turn{Status: 503}, text("made it"))
	r := e.run("", "--model", "openai/m", "--no-interactive", "x")
	if r.code != 0 || !strings.Contains(r.stdout, "made it") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Count(r.stderr, "retrying") != 2 {
		t.Fatalf("retries not shown: %q", r.stderr)
	}
	if n := len(s.Requests()); n != 3 {
		t.Fatalf("%d requests", n)
	}
}

func TestBrokenStreamKeepsPartialAnswerAndResume(t *testing.T) {
	e := newEnv(t)
	s := e.openai(modeltest.Turn{Text: []string{"The answer ", "is forty", " and two"}, BreakAfter: 2}, text("continued"))
	r := e.run("", "--model", "openai/m", "--no-interactive", "question one")
	if r.code != 1 || !strings.Contains(r.stdout, "The answer is forty") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = e.run("", "--model", "openai/m", "--no-interactive", "--resume", "go on")
	if r.code != 0 || !strings.Contains(r.stdout, "continued") {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	msgs := s.Requests()[1].Messages
	if len(msgs) != 3 || msgs[0].Text() != "question one" || !strings.HasPrefix(msgs[1].Text(), "The answer is forty") {
		t.Fatalf("resumed history %+v", msgs)
	}
	noViolations(t, s)
}

func TestAnthropicAndBedrockProviders(t *testing.T) {
	e := newEnv(t)
	e.write("a.txt", "alpha\n")
	read := tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"}]}`)
	a := e.anthropic(toolTurn(read), text("anthropic says alpha"))
	b := e.bedrock(toolTurn(read), text("bedrock says alpha"))
	for _, c := range []struct {
		ref, want string
		s         *modeltest.Server
	}{{"anthropic/claude-sonnet-4-5", "anthropic says alpha", a}, {"bedrock/us.anthropic.claude-sonnet-4", "bedrock says alpha", b}} {
		r := e.run("", "--model", c.ref, "--no-interactive", "read a.txt")
		if r.code != 0 || !strings.Contains(r.stdout, c.want) {
			t.Fatalf("%s: exit %d stdout %q stderr %q", c.ref, r.code, r.stdout, r.stderr)
		}
		if got, _ := lastToolResult(t, c.s, 1); !strings.Contains(got, "alpha") {
			t.Fatalf("%s: tool result %q", c.ref, got)
		}
		noViolations(t, c.s)
	}
}

func TestWrapBreaksLongAnswerLines(t *testing.T) {
	e := newEnv(t)
	answer := "The quick brown fox jumps over the lazy dog and keeps running."
	e.openai(text("The quick brown fox jumps ", "over the lazy dog and keeps running."), text(answer), text(answer))
	e.vars["COLUMNS"] = "20"
	r := e.run("", "--model", "openai/m", "--no-interactive", "--wrap", "always", "x")
	want := "The quick brown fox\njumps over the lazy\ndog and keeps\nrunning.\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("--wrap always: exit %d stdout %q, want %q (stderr %q)", r.code, r.stdout, want, r.stderr)
	}
	// auto wraps only for a terminal; never never wraps.
	for _, mode := range []string{"auto", "never"} {
		r = e.run("", "--model", "openai/m", "--no-interactive", "--wrap", mode, "x")
		if r.code != 0 || r.stdout != answer+"\n" {
			t.Fatalf("--wrap %s: exit %d stdout %q", mode, r.code, r.stdout)
		}
	}
	r = e.run("", "--model", "openai/m", "--no-interactive", "--wrap", "sometimes", "x")
	if r.code != 2 || !strings.Contains(r.stderr, `invalid --wrap "sometimes"`) {
		t.Fatalf("bad --wrap: exit %d stderr %q", r.code, r.stderr)
	}
}
