package agentcfg

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestPermissionMistakesAreErrors: a toolsSettings mistake would leave a
// rule unapplied, so each one makes the file invalid, at its position.
func TestPermissionMistakesAreErrors(t *testing.T) {
	cases := []struct{ name, settings, want string }{
		{"misspelt deny key", `{"execute_bash": {"deniedCommand": ["rm .*"]}}`,
			`agent.json:1:50: unknown setting "deniedCommand" of execute_bash (did you mean "deniedCommands"?)`},
		{"paths not a list", `{"fs_write": {"allowedPaths": 5}}`,
			`agent.json:1:62: field "toolsSettings.fs_write.allowedPaths": expected an array of strings, got the number 5`},
		{"commands a string", `{"shell": {"deniedCommands": "rm .*"}}`,
			`agent.json:1:61: field "toolsSettings.shell.deniedCommands": expected an array of strings, got a string`},
		{"unknown tool", `{"fs_reed": {"deniedPaths": ["~/.ssh"]}}`,
			`agent.json:1:33: unknown tool "fs_reed" in toolsSettings (did you mean "fs_read"?): its settings would never apply`},
		{"bad regex", `{"execute_bash": {"deniedCommands": ["rm (.*"]}}`,
			`agent.json:1:69: field "toolsSettings.execute_bash.deniedCommands[0]": invalid regular expression "rm (.*": missing closing )`},
		{"empty path", `{"read": {"deniedPaths": [""]}}`,
			`field "toolsSettings.read.deniedPaths[0]": a path must not be empty`},
		{"two names of one tool", `{"fs_write": {"deniedPaths": ["a"]}, "write": {"allowedPaths": ["b"]}}`,
			`toolsSettings.fs_write and toolsSettings.write both configure fs_write: merge them into one`},
		{"fallback value", `{"write": {"fallbackAction": "block"}}`,
			`field "toolsSettings.write.fallbackAction": expected one of ask, deny, allow, got "block"`},
		{"fs_read key of other tools", `{"fs_read": {"autoAllowReadonly": true}}`,
			`unknown setting "autoAllowReadonly" of fs_read (fs_read's key is "allowReadOnly")`},
		// knowledge read no settings: its deniedPaths was accepted and
		// ignored, so a search returned the files it names.
		{"knowledge deniedPaths", `{"knowledge": {"deniedPaths": ["secret.txt"]}}`,
			`unknown setting "deniedPaths" of knowledge (knowledge reads as fs_read does: put deniedPaths and allowedPaths under fs_read)`},
		{"thinking key", `{"thinking": {"enabled": false}}`,
			`unknown setting "enabled" of thinking`},
		{"settings not an object", `{"use_aws": ["s3"]}`,
			`field "toolsSettings.use_aws": expected a settings object, got an array`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("agent.json", []byte(`{"name": "a", "toolsSettings": `+tc.settings+`}`))
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			got := pe.Problems[0].String()
			if !strings.HasPrefix(tc.want, "agent.json:") {
				got = pe.Problems[0].Msg
			}
			if got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestValidToolsSettingsPass(t *testing.T) {
	src := `{"name": "a", "toolsSettings": {
	  "fs_read": {"allowedPaths": ["~/docs/**"], "deniedPaths": null, "allowReadOnly": false},
	  "write": {"deniedPaths": ["secrets/**"], "fallbackAction": "deny"},
	  "execute_bash": {"allowedCommands": ["git (status|log)"], "denyByDefault": true, "autoAllowReadonly": true},
	  "aws": {"allowedServices": ["s3"], "deniedServices": ["iam"], "profile_name": "dev"},
	  "subagent": {"availableAgents": ["a"], "trustedAgents": []},
	  "web_search": {"anything": 1},
	  "@git/status": {"x": true}}}`
	a, err := Parse("a.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range a.ToolsSettings {
		keys = append(keys, k)
	}
	for _, want := range []string{"fs_write", "use_aws", "@git/status", "use_subagent"} {
		if _, ok := a.ToolsSettings[want]; !ok {
			t.Errorf("toolsSettings lacks %q: %v", want, keys)
		}
	}
	if _, ok := a.ToolsSettings["write"]; ok {
		t.Error("the alias key was kept beside the canonical one")
	}
}

// TestToolNamesAreCanonical: the Q CLI's internal keys and the Kiro CLI's
// aliases become the names every permission layer judges.
func TestToolNamesAreCanonical(t *testing.T) {
	src := `{"name": "k", "tools": ["read", "write", "shell", "aws", "gh_issue", "@builtin/report", "@git", "fs_*"],
	  "allowedTools": ["read", "@builtin/shell", "@git/read"],
	  "hooks": {"preToolUse": [{"command": "x", "matcher": "shell"}, {"command": "y", "matcher": "@git/write"}]}}`
	a, err := Parse("k.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"fs_read", "fs_write", "execute_bash", "use_aws", "report_issue", "@builtin/report_issue", "@git", "fs_*"}; !reflect.DeepEqual(a.Tools, want) {
		t.Errorf("tools %v", a.Tools)
	}
	if want := []string{"fs_read", "@builtin/execute_bash", "@git/read"}; !reflect.DeepEqual(a.AllowedTools, want) {
		t.Errorf("allowedTools %v", a.AllowedTools)
	}
	if m := a.Hooks[PreToolUse]; m[0].Matcher != "execute_bash" || m[1].Matcher != "@git/write" {
		t.Errorf("matchers %+v", m)
	}
	if len(a.Notes) != 0 {
		t.Errorf("notes %v", a.Notes)
	}
}

// TestKiroFieldsAccepted: what the Kiro CLI accepts is accepted without a
// word, and what qdev cannot use is noted rather than refused.
func TestKiroFieldsAccepted(t *testing.T) {
	src := `{"name": "k", "welcomeMessage": "Hi there", "keyboardShortcut": "ctrl+shift+k", "includeMcpJson": true,
	  "includePowers": false,
	  "mcpServers": {"s": {"command": "x", "autoApprove": ["*"], "disabledTools": ["rm"], "disabled": false}},
	  "resources": ["file://README.md", "skill://review", {"type": "knowledgeBase", "source": "file://docs"}]}`
	a, err := Parse("k.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if a.WelcomeMessage != "Hi there" || a.KeyboardShortcut != "ctrl+shift+k" || !a.IncludeMcpJSON {
		t.Fatalf("%+v", a)
	}
	if !reflect.DeepEqual(a.Resources, []string{"file://README.md"}) {
		t.Fatalf("resources %v", a.Resources)
	}
	joined := strings.Join(a.Notes, "\n")
	if len(a.Notes) != 2 || !strings.Contains(joined, `skill resource "skill://review" is ignored`) || !strings.Contains(joined, "knowledge base") {
		t.Fatalf("notes %q", a.Notes)
	}
}

func TestUnknownToolNameInListsIsNoted(t *testing.T) {
	a, err := Parse("a.json", []byte(`{"name": "a", "allowedTools": ["fs_reed", "mytool", "@builtin/nope"]}`))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(a.Notes, "\n")
	for _, want := range []string{`"fs_reed" names no built-in tool, so it matches nothing (did you mean "fs_read"?)`,
		`"mytool" names no built-in tool, so it matches nothing; an MCP tool is written @server/tool`, `"@builtin/nope"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}
