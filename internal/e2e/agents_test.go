package e2e

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDefaultAgentSendsContextFiles(t *testing.T) {
	e := newEnv(t)
	e.write("README.md", "PROJECT-README-MARKER\n")
	e.write(".amazonq/rules/style.md", "RULE-MARKER: tabs\n")
	s := e.openai(text("ok"))
	if r := e.run("", "--model", "openai/m", "--no-interactive", "hi"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	sys := s.Requests()[0].System
	for _, want := range []string{"PROJECT-README-MARKER", "RULE-MARKER", "CONTEXT ENTRY BEGIN"} {
		if !strings.Contains(sys, want) {
			t.Fatalf("system prompt lacks %q:\n%s", want, sys)
		}
	}
}

func TestAgentHooksAndPrompt(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/guard.json", `{
	  "name": "guard", "prompt": "ALWAYS-BE-BRIEF", "tools": ["*"], "allowedTools": ["execute_bash"],
	  "hooks": {
	    "agentSpawn": [{"command": "echo SPAWN-CONTEXT"}],
	    "userPromptSubmit": [{"command": "echo PROMPT-CONTEXT"}],
	    "preToolUse": [{"matcher": "execute_bash", "command": "grep -q forbidden && { echo 'no forbidden things' >&2; exit 2; } || exit 0"}],
	    "postToolUse": [{"matcher": "*", "command": "cat > post.json"}]
	  }}`)
	s := e.openai(
		toolTurn(tc("c1", "execute_bash", `{"command":"echo forbidden > f.txt"}`)),
		toolTurn(tc("c2", "execute_bash", `{"command":"echo fine"}`)),
		text("done"),
	)
	r := e.run("", "--model", "openai/m", "--agent", "guard", "--trust-workspace", "--no-interactive", "go")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	req := s.Requests()[0]
	if !strings.Contains(req.System, "SPAWN-CONTEXT") || !strings.Contains(req.System, "ALWAYS-BE-BRIEF") {
		t.Fatalf("system prompt lacks agentSpawn output or agent prompt:\n%s", req.System)
	}
	if !strings.Contains(req.Messages[0].Content[len(req.Messages[0].Content)-1].Text, "PROMPT-CONTEXT") {
		t.Fatalf("userPromptSubmit output missing: %+v", req.Messages[0])
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "PreToolHook blocked the tool execution: no forbidden things") {
		t.Fatalf("blocked result %q", got)
	}
	if _, err := os.Stat(filepath.Join(e.cwd, "f.txt")); !os.IsNotExist(err) {
		t.Fatal("blocked command ran")
	}
	post, err := os.ReadFile(filepath.Join(e.cwd, "post.json"))
	if err != nil || !strings.Contains(string(post), `"hook_event_name":"postToolUse"`) || !strings.Contains(string(post), "fine") {
		t.Fatalf("postToolUse input %q, %v", post, err)
	}
}

func TestInvalidAgentFileIsReportedAndSkipped(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/bad.json", "{\n  \"name\": \"bad\",\n  \"toolSettings\": {}\n}\n")
	e.openai(text("ok"))
	r := e.run("", "--model", "openai/m", "--agent", "bad", "--no-interactive", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, "bad.json:3:") || !strings.Contains(r.stderr, "toolSettings") {
		t.Fatalf("%+v", r)
	}
	// Another agent's broken file is reported and skipped.
	r = e.run("", "--model", "openai/m", "--no-interactive", "hi")
	if r.code != 0 || !strings.Contains(r.stderr, "bad.json:3:") || !strings.Contains(r.stderr, "is invalid and was skipped") {
		t.Fatalf("%+v", r)
	}
	r = e.run("", "agent", "validate", "--path", filepath.Join(e.cwd, ".amazonq/cli-agents/bad.json"))
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "bad.json:3:") {
		t.Fatalf("validate: %+v", r)
	}
}

func TestManagedSettingsBlockAndFailClosed(t *testing.T) {
	e := newEnv(t)
	managed := filepath.Join(e.home, "managed.json")
	e.vars["Q_MANAGED_SETTINGS"] = managed
	write := func(body string) {
		if err := os.WriteFile(managed, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"deniedCommands": ["rm -rf *"], "disableTrustAll": true, "allowedModels": ["openai/*"]}`)
	victim := e.write("keep/x", "x")
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"ls; rm -rf keep"}`)), text("refused"))
	r := e.run("", "--model", "openai/m", "--trust-tools=execute_bash", "--no-interactive", "clean")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "blocked by organisation policy: deniedCommands") {
		t.Fatalf("result %q", got)
	}
	if _, err := os.Stat(victim); err != nil {
		t.Fatal("denied command ran")
	}
	if r := e.run("", "--model", "openai/m", "--trust-all-tools", "--no-interactive", "x"); r.code != 1 || !strings.Contains(r.stderr, "disableTrustAll") {
		t.Fatalf("trust-all: %+v", r)
	}
	if r := e.run("", "--model", "anthropic/claude", "--no-interactive", "x"); r.code != 1 || !strings.Contains(r.stderr, "allowedModels") {
		t.Fatalf("model: %+v", r)
	}
	write(`{"deniedCommands": ["rm -rf *"],`)
	if r := e.run("", "--model", "openai/m", "--no-interactive", "x"); r.code != 1 || !strings.Contains(r.stderr, managed) {
		t.Fatalf("malformed managed file must stop q: %+v", r)
	}
}

func TestSandboxConfinesWrites(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Landlock is Linux only")
	}
	e := newEnv(t)
	outside := filepath.Join(e.home, "outside.txt")
	e.vars["TMPDIR"] = filepath.Join(e.home, "tmp")
	if err := os.MkdirAll(e.vars["TMPDIR"], 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := `{"command":"echo in > inside.txt; echo out > ` + outside + `; echo code=$?"}`
	s := e.openai(toolTurn(tc("c1", "execute_bash", cmd)), text("done"))
	r := e.run("", "--model", "openai/m", "--trust-all-tools", "--no-interactive", "write")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	got, _ := lastToolResult(t, s, 1)
	if _, err := os.Stat(filepath.Join(e.cwd, "inside.txt")); err != nil {
		t.Fatalf("workspace write failed in the sandbox: %s", got)
	}
	// Landlock answers "Permission denied"; the sandbox's read-only
	// remount of everything outside the writable paths, "Read-only".
	if _, err := os.Stat(outside); !os.IsNotExist(err) || !(strings.Contains(got, "ermission denied") || strings.Contains(got, "Read-only file system")) {
		t.Fatalf("write outside the workspace was not blocked: %s", got)
	}
	// With the sandbox off, the same command writes outside.
	if r := e.run("", "settings", "sandbox.mode", "off"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	e.openai(toolTurn(tc("c1", "execute_bash", cmd)), text("done"))
	if r := e.run("", "--model", "openai/m", "--trust-all-tools", "--no-interactive", "write"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("unsandboxed write failed: %v", err)
	}
}

func TestAuditTrailRecordsEveryCall(t *testing.T) {
	e := newEnv(t)
	e.write("a.txt", "alpha\n")
	e.write(".amazonq/cli-agents/a.json", `{"name":"a","tools":["*"],"toolsSettings":{"execute_bash":{"deniedCommands":["curl .*"]}}}`)
	e.openai(
		toolTurn(tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"a.txt"}]}`),
			tc("c2", "execute_bash", `{"command":"curl -H 'Authorization: Bearer sk-live-abcdef0123456789' http://127.0.0.1:1"}`)),
		text("done"),
	)
	if r := e.run("", "--model", "openai/m", "--agent", "a", "--trust-all-tools", "--no-interactive", "go"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r := e.run("", "audit", "lookup", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"EventName": "fs_read"`) {
		t.Fatalf("lookup: %+v", r)
	}
	if !strings.Contains(r.stdout, `\"decision\":\"deny\"`) || !strings.Contains(r.stdout, "curl") {
		t.Fatalf("denied call not recorded: %s", r.stdout)
	}
	if strings.Contains(r.stdout, "sk-live-abcdef0123456789") {
		t.Fatalf("secret not redacted: %s", r.stdout)
	}
	if r := e.run("", "audit", "verify"); r.code != 0 {
		t.Fatalf("verify: %+v", r)
	}
}

func TestUnusableAuditTrailStopsQ(t *testing.T) {
	e := newEnv(t)
	notADir := e.write("../audit-file", "x")
	e.vars["Q_MANAGED_SETTINGS"] = e.write("../managed.json", `{"audit":{"dir":"`+notADir+`"}}`)
	e.openai(text("never"))
	r := e.run("", "--model", "openai/m", "--no-interactive", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, "audit") || !strings.Contains(r.stderr, notADir) {
		t.Fatalf("%+v", r)
	}
}
