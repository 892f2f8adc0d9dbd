package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/proctest"
)

// TestValidateRejectsPermissionMistakes: each mistake in toolsSettings
// that would silently weaken a rule makes q agent validate exit 1 naming
// the file, position and field.
func TestValidateRejectsPermissionMistakes(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct{ settings, want string }{
		"misspelt": {`{"execute_bash": {"deniedCommand": ["rm .*"]}}`, `unknown setting "deniedCommand" of execute_bash (did you mean "deniedCommands"?)`},
		"paths":    {`{"fs_write": {"allowedPaths": 5}}`, `field "toolsSettings.fs_write.allowedPaths": expected an array of strings, got the number 5`},
		"string":   {`{"execute_bash": {"deniedCommands": "rm .*"}}`, `field "toolsSettings.execute_bash.deniedCommands": expected an array of strings, got a string`},
		"tool":     {`{"fs_reed": {"deniedPaths": ["secret"]}}`, `unknown tool "fs_reed" in toolsSettings (did you mean "fs_read"?)`},
	} {
		p := e.write(".amazonq/cli-agents/"+name+".json", "{\n  \"name\": \""+name+"\",\n  \"toolsSettings\": "+tc.settings+"\n}\n")
		r := e.run("", "agent", "validate", "--path", p)
		if r.code != 1 || !strings.Contains(r.stderr, p+":3:") || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout, "valid") {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// TestInvalidAgentIsRefusedNotReplaced: --agent naming a file that does not
// load fails a --no-interactive run (exit 1, file and error named) before
// any tool runs; it never falls back to an agent with other permissions.
func TestInvalidAgentIsRefusedNotReplaced(t *testing.T) {
	e := newEnv(t)
	p := e.write(".amazonq/cli-agents/guard.json", `{"name": "guard", "allowedTools": ["execute_bash"],
	  "toolsSettings": {"execute_bash": {"deniedCommand": ["rm .*"]}}}`)
	e.write("victim.txt", "keep me\n")
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"rm victim.txt"}`)), text("done"))
	r := e.run("", "--model", "openai/m", "--agent", "guard", "--trust-workspace", "--no-interactive", "clean up")
	if r.code != 1 || !strings.Contains(r.stderr, "agent guard cannot be used: "+p+" is invalid") ||
		!strings.Contains(r.stderr, `unknown setting "deniedCommand"`) || strings.Contains(r.stderr, "Falling back") {
		t.Fatalf("%+v", r)
	}
	if len(s.Requests()) != 0 || !exists(filepath.Join(e.cwd, "victim.txt")) {
		t.Fatal("the session ran although its agent was refused")
	}
	// chat.defaultAgent naming it is refused the same way.
	if r := e.run("", "settings", "chat.defaultAgent", "guard"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := e.run("", "--model", "openai/m", "--no-interactive", "hi"); r.code != 1 || !strings.Contains(r.stderr, p+" is invalid") {
		t.Fatalf("default agent: %+v", r)
	}
}

// TestInvalidAgentInteractiveSaysSoAndAsks: interactively the refusal is
// shown before the first prompt, and in the built-in agent it falls back
// to, even a read in the working directory asks.
func TestInvalidAgentInteractiveSaysSoAndAsks(t *testing.T) {
	e := newEnv(t)
	p := e.write(".amazonq/cli-agents/guard.json", `{"name": "guard", "toolsSettings": {"fs_read": {"deniedPaths": 5}}}`)
	e.write("notes.txt", "secret\n")
	e.openai(toolTurn(tc("c1", "fs_read", `{"operations":[{"mode":"Line","path":"notes.txt"}]}`)), text("read it"))
	term := e.startPTY("chat", "--model", "openai/m", "--agent", "guard")
	term.expect("agent guard cannot be used: " + p + " is invalid")
	term.expect("This session uses the built-in agent q_cli_default instead, and every tool call asks")
	term.expect("> ")
	term.send("read notes\r")
	term.expect("Allow this action?")
	term.send("n\r")
	term.expect("> ")
	term.send("/quit\r")
	term.waitExit()
}

// TestKiroAndQToolNames: tools, allowedTools and toolsSettings accept the Q
// CLI's internal keys and the Kiro CLI's aliases; a deny written with an
// alias denies, also under --trust-all-tools; the Kiro CLI's fields pass
// without a warning.
func TestKiroAndQToolNames(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/k.json", `{"name": "k", "welcomeMessage": "hello", "keyboardShortcut": "ctrl+k", "includeMcpJson": false,
	  "tools": ["read", "shell", "gh_issue"], "allowedTools": ["shell"],
	  "toolsSettings": {"shell": {"deniedCommands": ["rm .*"]}},
	  "mcpServers": {"off": {"command": "true", "disabled": true, "autoApprove": ["*"], "timeout": 1000}}}`)
	e.write("victim.txt", "keep me\n")
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"rm victim.txt"}`)), text("done"))
	r := e.run("", "--model", "openai/m", "--agent", "k", "--trust-workspace", "--trust-all-tools", "--no-interactive", "clean up")
	if r.code != 0 || !exists(filepath.Join(e.cwd, "victim.txt")) {
		t.Fatalf("the deny written with an alias did not deny: %+v", r)
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "rejected") || !strings.Contains(got, `deniedCommands "rm .*"`) {
		t.Fatalf("tool result %q", got)
	}
	tools := s.Requests()[0].Tools
	for _, want := range []string{"fs_read", "execute_bash", "report_issue"} {
		if !slices.Contains(tools, want) {
			t.Errorf("tools %v lack %s", tools, want)
		}
	}
	if slices.Contains(tools, "fs_write") {
		t.Errorf("tools %v include fs_write", tools)
	}
	if strings.Contains(r.stderr, "Warning") {
		t.Errorf("Kiro fields drew a warning: %s", r.stderr)
	}
}

// TestUnknownAttributeWarnsOncePerFile: what neither the Q nor the Kiro CLI
// knows is warned about once per version of the file, not at every start.
func TestUnknownAttributeWarnsOncePerFile(t *testing.T) {
	e := newEnv(t)
	p := e.write(".amazonq/cli-agents/a.json", `{"name": "a", "author": "me"}`)
	e.openai(text("1"), text("2"), text("3"))
	run := func() string {
		r := e.run("", "--model", "openai/m", "--agent", "a", "--no-interactive", "hi")
		if r.code != 0 {
			t.Fatalf("%+v", r)
		}
		return r.stderr
	}
	const want = `unknown field "author" is ignored`
	if got := run(); strings.Count(got, want) != 1 {
		t.Fatalf("first run: %q", got)
	}
	if got := run(); strings.Contains(got, want) {
		t.Fatalf("second run warned again: %q", got)
	}
	if err := os.WriteFile(p, []byte(`{"name": "a", "author": "someone else"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := run(); strings.Count(got, want) != 1 {
		t.Fatalf("changed file: %q", got)
	}
}

// writeHome writes a file under the test user's home directory.
func (e *env) writeHome(rel, content string) string {
	e.t.Helper()
	p := filepath.Join(e.home, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestInteractiveMCPFailuresOneLineEach: each MCP server that fails to
// start gets one "✗ name: reason" line in an interactive session, /mcp
// shows the whole reason, and a server still starting when q exits is
// stopped.
func TestInteractiveMCPFailuresOneLineEach(t *testing.T) {
	e := newEnv(t)
	srvPid := filepath.Join(e.cwd, "srv.pid")
	e.writeHome(".aws/amazonq/cli-agents/m.json", `{"name": "m", "tools": ["*"], "mcpServers": {
	  "broken": {"command": "/nonexistent/mcp-server"},
	  "crashy": {"command": "sh", "args": ["-c", "echo 'boom: the config file is missing' >&2; exit 3"]},
	  "slow": {"command": "sh", "args": ["-c", "sleep 300 & echo $$ > `+srvPid+`; cat >/dev/null"], "timeout": 120000}}}`)
	if r := e.run("", "settings", "mcp.initTimeout", "2000"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	e.openai(text("first answer"), text("second answer"))
	term := e.startPTY("chat", "--model", "openai/m", "--agent", "m")
	term.expect("> ")
	term.send("hi\r")
	term.expect("first answer")
	term.expect("> ")
	term.send("again\r")
	term.expect("second answer")
	term.expect("> ")
	term.send("/mcp\r")
	term.expect("boom: the config file is missing")
	term.expect("> ")
	term.send("/quit\r")
	term.waitExit()
	// Both failed before the first answer (the first turn waits for the
	// servers): each has said so exactly once by then, and not again.
	screen := term.screen()
	answer := strings.Index(screen, "first answer")
	for _, want := range []string{"✗ broken: command \"/nonexistent/mcp-server\"", "✗ crashy: "} {
		if i := strings.Index(screen, want); i < 0 || i > answer || strings.Count(screen, want) != 1 {
			t.Errorf("%q is not reported once before the answer:\n%s", want, screen)
		}
	}
	b, err := os.ReadFile(srvPid)
	if err != nil {
		t.Fatal(err)
	}
	pgid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	proctest.WaitGone(t, pgid, "slow MCP server")
}

// TestMCPJsonCompat: the Kiro CLI's mcp.json files are read (the
// workspace's only once trusted), autoApprove draws no warning, and an
// attribute neither CLI knows is warned about once per version of its file.
func TestMCPJsonCompat(t *testing.T) {
	e := newEnv(t)
	userMark, wsMark := filepath.Join(e.cwd, "user-started"), filepath.Join(e.cwd, "ws-started")
	e.writeHome(".kiro/settings/mcp.json", `{"mcpServers": {"u": {"command": "sh", "args": ["-c", "touch `+userMark+`; cat >/dev/null"], "autoApprove": ["*"], "color": "blue"}}}`)
	e.write(".kiro/settings/mcp.json", `{"mcpServers": {"w": {"command": "sh", "args": ["-c", "touch `+wsMark+`; cat >/dev/null"]}}}`)
	if r := e.run("", "settings", "mcp.noInteractiveTimeout", "500"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	e.openai(text("1"), text("2"))
	r := e.run("", "--model", "openai/m", "--no-interactive", "hi")
	if r.code != 0 || strings.Count(r.stderr, `unknown attribute "color" is ignored`) != 1 || strings.Contains(r.stderr, "autoApprove") {
		t.Fatalf("first run: %+v", r)
	}
	if !strings.Contains(r.stderr, ".kiro/settings/mcp.json not run: the file is new in this workspace") {
		t.Fatalf("the workspace file was not gated: %s", r.stderr)
	}
	if !exists(userMark) {
		t.Fatal("the server of ~/.kiro/settings/mcp.json did not start")
	}
	if exists(wsMark) {
		t.Fatal("an untrusted workspace server started")
	}
	r = e.run("", "--model", "openai/m", "--trust-workspace", "--no-interactive", "hi")
	if r.code != 0 || strings.Contains(r.stderr, "color") {
		t.Fatalf("second run: %+v", r)
	}
	if !exists(wsMark) {
		t.Fatal("the trusted workspace server did not start")
	}
}

// TestKiroAgentsAndSteering: agents come from .kiro/agents and
// ~/.kiro/agents as well; the user's are not gated, the workspace's are;
// on a clash the .amazonq file wins, with a warning shown once; steering
// files are context of the default agent like .amazonq/rules.
func TestKiroAgentsAndSteering(t *testing.T) {
	e := newEnv(t)
	e.writeHome(".kiro/agents/mine.json", `{"name": "mine", "hooks": {"agentSpawn": [{"command": "echo USER-KIRO-HOOK"}]}}`)
	e.write(".kiro/agents/ws.json", `{"name": "ws", "hooks": {"agentSpawn": [{"command": "echo WS-KIRO-HOOK"}]}}`)
	q := e.write(".amazonq/cli-agents/dup.json", `{"name": "dup", "prompt": "FROM-AMAZONQ"}`)
	k := e.write(".kiro/agents/dup.json", `{"name": "dup", "prompt": "FROM-KIRO"}`)
	e.write(".kiro/steering/style.md", "STEERING-MARKER\n")
	e.writeHome(".kiro/steering/global.md", "USER-STEERING-MARKER\n")
	s := e.openai(text("1"), text("2"), text("3"), text("4"), text("5"))
	run := func(args ...string) result {
		r := e.run("", append([]string{"--model", "openai/m", "--no-interactive"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		return r
	}
	clash := "Agent conflict for dup. Using " + q + " (" + k + " is ignored)."
	r := run("--agent", "mine", "hi")
	if sys := s.Requests()[0].System; !strings.Contains(sys, "USER-KIRO-HOOK") {
		t.Fatalf("the user's Kiro agent did not run its hook:\n%s", sys)
	}
	if strings.Count(r.stderr, clash) != 1 {
		t.Fatalf("clash not warned about: %s", r.stderr)
	}
	r = run("--agent", "ws", "hi")
	if sys := s.Requests()[1].System; strings.Contains(sys, "WS-KIRO-HOOK") || !strings.Contains(r.stderr, ".kiro/agents/ws.json not run") {
		t.Fatalf("a workspace Kiro agent's hook ran untrusted:\n%s\n%s", sys, r.stderr)
	}
	if strings.Contains(r.stderr, "Agent conflict") {
		t.Fatalf("the clash was warned about again: %s", r.stderr)
	}
	run("--agent", "dup", "hi")
	if sys := s.Requests()[2].System; !strings.Contains(sys, "FROM-AMAZONQ") {
		t.Fatalf("the .kiro file won the clash:\n%s", sys)
	}
	run("hi")
	sys := s.Requests()[3].System
	for _, want := range []string{"STEERING-MARKER", "USER-STEERING-MARKER"} {
		if !strings.Contains(sys, want) {
			t.Errorf("default agent context lacks %s:\n%s", want, sys)
		}
	}
}

// TestKiroWelcomeMessage: an interactive session shows the agent's
// welcomeMessage before the first prompt.
func TestKiroWelcomeMessage(t *testing.T) {
	e := newEnv(t)
	e.writeHome(".kiro/agents/w.json", `{"name": "w", "welcomeMessage": "Ready to review your Go code."}`)
	e.openai()
	term := e.startPTY("chat", "--model", "openai/m", "--agent", "w")
	term.expect("Ready to review your Go code.")
	term.expect("> ")
	term.send("/quit\r")
	term.waitExit()
}

// TestAgentModelNames: an agent's Q CLI model name is read as --model
// reads it; a model that cannot be used falls back to chat.defaultModel
// with one warning, or, without a default, fails saying why.
func TestAgentModelNames(t *testing.T) {
	e := newEnv(t)
	e.write(".amazonq/cli-agents/q.json", `{"name": "q", "model": "claude-sonnet-4.5"}`)
	e.write(".amazonq/cli-agents/kiro.json", `{"name": "kiro", "model": "auto"}`)
	b := e.bedrock(text("from bedrock"))
	if r := e.run("", "--agent", "q", "--no-interactive", "hi"); r.code != 0 || !strings.Contains(r.stdout, "from bedrock") {
		t.Fatalf("%+v", r)
	}
	if got := b.Requests()[0].Model; got != "us.anthropic.claude-sonnet-4-5-20250929-v1:0" {
		t.Fatalf("model %q", got)
	}
	r := e.run("", "--agent", "kiro", "--no-interactive", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, `agent kiro: model "auto" cannot be used`) || !strings.Contains(r.stderr, "chat.defaultModel is not set") {
		t.Fatalf("no default: %+v", r)
	}
	o := e.openai(text("from the default"))
	if r := e.run("", "settings", "chat.defaultModel", "openai/m"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r = e.run("", "--agent", "kiro", "--no-interactive", "hi")
	want := `Warning: agent kiro: model "auto" cannot be used`
	if r.code != 0 || strings.Count(r.stderr, want) != 1 || !strings.Contains(r.stderr, "using chat.defaultModel openai/m") || len(o.Requests()) != 1 {
		t.Fatalf("fallback: %+v", r)
	}
}

// TestLegacyProfilesAwaitMigration: legacy context files an older Q CLI
// left are not added to sessions; an interactive start offers the
// migration once; q doctor lists them; q agent migrate turns them into
// agents; --profile NAME loads a legacy profile as it is and never picks
// something else.
func TestLegacyProfilesAwaitMigration(t *testing.T) {
	e := newEnv(t)
	e.write("standards.md", "LEGACY-GLOBAL-MARKER\n")
	e.write("dev.md", "LEGACY-DEV-MARKER\n")
	global := e.writeHome(".aws/amazonq/global_context.json", `{"paths": ["standards.md"], "hooks": {}}`)
	e.writeHome(".aws/amazonq/profiles/dev/context.json", `{"paths": ["dev.md"], "hooks": {}}`)
	s := e.openai(text("1"), text("2"), text("3"), text("4"))
	chat := func(args ...string) result {
		r := e.run("", append([]string{"--model", "openai/m", "--no-interactive"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		return r
	}
	chat("hi")
	if sys := s.Requests()[0].System; strings.Contains(sys, "LEGACY-") {
		t.Fatalf("legacy context was added silently:\n%s", sys)
	}
	if r := e.run("", "doctor"); !strings.Contains(r.stdout, global) || !strings.Contains(r.stdout, "await migration") {
		t.Fatalf("doctor: %+v", r)
	}

	// Offered once, interactively.
	for i, want := range []string{"Legacy profiles detected", ""} {
		term := e.startPTY("chat", "--model", "openai/m")
		if want != "" {
			term.expect(want)
			term.expect("[y/N]: ")
			term.send("n\r")
			term.expect("Not migrated")
		}
		term.expect("> ")
		term.send("/quit\r")
		term.waitExit()
		if i == 1 && strings.Contains(term.screen(), "Legacy profiles detected") {
			t.Fatal("the migration was offered twice")
		}
	}

	// --profile loads the legacy profile; an unknown one is an error.
	r := chat("--profile", "dev", "hi")
	if sys := s.Requests()[1].System; !strings.Contains(sys, "LEGACY-DEV-MARKER") || !strings.Contains(sys, "LEGACY-GLOBAL-MARKER") ||
		!strings.Contains(r.stderr, "Using the legacy profile dev") {
		t.Fatalf("--profile dev: %s\n%s", r.stderr, sys)
	}
	if r := e.run("", "--model", "openai/m", "--no-interactive", "--profile", "nope", "hi"); r.code != 1 ||
		!strings.Contains(r.stderr, "--profile nope: no agent or legacy profile of that name") {
		t.Fatalf("--profile nope: %+v", r)
	}

	if r := e.run("", "agent", "migrate"); r.code != 0 || !strings.Contains(r.stderr, "Migrated agent dev") ||
		!strings.Contains(r.stderr, "Migrated agent migrated_agent_from_global_context") {
		t.Fatalf("migrate: %+v", r)
	}
	chat("--agent", "dev", "hi")
	if sys := s.Requests()[2].System; !strings.Contains(sys, "LEGACY-DEV-MARKER") || !strings.Contains(sys, "LEGACY-GLOBAL-MARKER") {
		t.Fatalf("migrated agent lacks the context:\n%s", sys)
	}
	if r := e.run("", "doctor"); !strings.Contains(r.stdout, "legacy profiles: none awaiting migration") {
		t.Fatalf("doctor after migration: %s", r.stdout)
	}
}

// TestManagedRequireApprovalPrompt: a tool the organisation requires
// approval for says why it asks, does not offer "t", refuses to be
// trusted, shows as asking every time in /tools, and asks again.
func TestManagedRequireApprovalPrompt(t *testing.T) {
	e := newEnv(t)
	managed := e.writeHome("managed.json", `{"requireApproval": ["shell"]}`)
	e.vars["Q_MANAGED_SETTINGS"] = managed
	s := e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"echo one"}`)), text("ran one"),
		toolTurn(tc("c2", "execute_bash", `{"command":"echo two"}`)), text("ran two"))
	term := e.startPTY("chat", "--model", "openai/m", "--trust-tools=execute_bash")
	term.expect("> ")
	term.send("run one\r")
	term.expect(`⚠ organisation policy requires approval: requireApproval "shell" (` + managed + ")")
	term.expect("It asks every time. [y/n]:")
	term.send("t\r")
	term.expect("This tool cannot be trusted for the session")
	term.send("y\r")
	term.expect("ran one")
	term.expect("> ")
	term.send("/tools\r")
	term.expect(`asks every time (organisation policy requires approval: requireApproval "shell")`)
	term.expect("> ")
	term.send("/tools trust execute_bash\r")
	term.expect("execute_bash cannot be trusted")
	term.expect("> ")
	term.send("run two\r")
	term.expect("It asks every time. [y/n]:")
	term.send("n\r")
	term.expect("> ")
	term.send("/quit\r")
	term.waitExit()
	if strings.Contains(term.screen(), "[y/n/t]") {
		t.Fatalf("t was offered:\n%s", term.screen())
	}
	if got, _ := lastToolResult(t, s, 1); !strings.Contains(got, "one") {
		t.Fatalf("first call result %q", got)
	}
}

// TestHandEditedSettingsAreValidated: a settings file with wrong types or
// out-of-range values stops q chat naming the file and keys, q doctor
// reports it, q settings refuses the same values in the same words and
// can fix them; nothing is lost from the file.
func TestHandEditedSettingsAreValidated(t *testing.T) {
	e := newEnv(t)
	body := `{"chat.autoCompactPercent": 500, "chat.enableThinking": "yes", "chat.defaultModel": "openai/m"}`
	cfg := e.writeHome(".config/qdev/settings.json", body)
	e.openai(text("ok"))
	r := e.run("", "--no-interactive", "hi")
	for _, want := range []string{cfg, "`chat.autoCompactPercent` must be between 1 and 100, not 500", "`chat.enableThinking` expects true or false, not \"yes\""} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Fatalf("q chat lacks %q: %+v", want, r)
		}
	}
	r = e.run("", "doctor")
	if r.code != 1 || !strings.Contains(r.stdout, "✘ settings file: "+cfg+": `chat.autoCompactPercent` must be between 1 and 100, not 500") || strings.Contains(r.stdout, "(valid") {
		t.Fatalf("doctor: %+v", r)
	}
	r = e.run("", "settings", "chat.autoCompactPercent", "500")
	if r.code != 1 || !strings.Contains(r.stderr, "`chat.autoCompactPercent` must be between 1 and 100, not 500") {
		t.Fatalf("q settings: %+v", r)
	}
	if b, _ := os.ReadFile(cfg); string(b) != body {
		t.Fatalf("the file changed: %s", b)
	}
	if r := e.run("", "settings", "chat.autoCompactPercent", "50"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := e.run("", "settings", "--delete", "chat.enableThinking"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := e.run("", "--no-interactive", "hi"); r.code != 0 || !strings.Contains(r.stdout, "ok") {
		t.Fatalf("after fixing: %+v", r)
	}
}

// TestStopHookMakesTheAgentContinue: a stop hook receives the session id
// and the assistant's last answer, and {"decision":"block","reason":...}
// makes the agent go on with that reason.
func TestStopHookMakesTheAgentContinue(t *testing.T) {
	e := newEnv(t)
	e.writeHome(".kiro/agents/s.json", `{"name": "s", "hooks": {"stop": [{"command":
	  "cat > stop-$(ls stop-*.json 2>/dev/null | wc -l).json; [ -f once ] || { touch once; echo '{\"decision\": \"block\", \"reason\": \"also update the changelog\"}'; }"}]}}`)
	s := e.openai(text("code fixed"), text("changelog updated"))
	r := e.run("", "--model", "openai/m", "--agent", "s", "--no-interactive", "fix it")
	if r.code != 0 || !strings.Contains(r.stdout, "changelog updated") {
		t.Fatalf("%+v", r)
	}
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if last := reqs[1].Messages[len(reqs[1].Messages)-1]; !strings.Contains(last.Text(), "also update the changelog") {
		t.Fatalf("the reason did not reach the model: %+v", last)
	}
	var first, second map[string]any
	for f, v := range map[string]*map[string]any{"stop-0.json": &first, "stop-1.json": &second} {
		b, err := os.ReadFile(filepath.Join(e.cwd, f))
		if err != nil || json.Unmarshal(b, v) != nil {
			t.Fatalf("%s: %q %v", f, b, err)
		}
	}
	if first["assistant_response"] != "code fixed" || second["assistant_response"] != "changelog updated" ||
		first["session_id"] == "" || first["session_id"] != second["session_id"] || second["stop_hook_active"] != true {
		t.Fatalf("stop events %v %v", first, second)
	}
}
