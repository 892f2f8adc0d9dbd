package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
	  "toolsSettings": {"shell": {"deniedCommands": ["rm .*"]}}}`)
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
