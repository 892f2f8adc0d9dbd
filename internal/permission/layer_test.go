package permission

import (
	"encoding/json"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// Each decision names the layer whose rule reached it, from the structure
// of the configuration, not from the wording of the rule.
func TestDecisionLayers(t *testing.T) {
	cwd := t.TempDir()
	newC := func(allowed []string, settings map[string]string, opts Options) *Checker {
		ts := map[string]json.RawMessage{}
		for k, v := range settings {
			ts[k] = json.RawMessage(v)
		}
		c, _, err := New(Config{AllowedTools: allowed, ToolsSettings: ts, Cwd: cwd, Home: t.TempDir(), Source: "/agents/dev.json"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	bash := func(cmd string) tool.Access { return tool.Access{Command: cmd} }
	type check struct {
		name   string
		c      *Checker
		tool   string
		acc    tool.Access
		kind   Kind
		layer  Layer
		source string
	}
	sessionTrusted := newC(nil, nil, Options{})
	if err := sessionTrusted.Trust("execute_bash"); err != nil {
		t.Fatal(err)
	}
	sessionAll := newC(nil, nil, Options{})
	sessionAll.TrustAll()
	untrusted := newC([]string{"execute_bash"}, nil, Options{})
	if err := untrusted.Untrust("execute_bash"); err != nil {
		t.Fatal(err)
	}
	checks := []check{
		{"always allowed", newC(nil, nil, Options{}), "thinking", tool.Access{AlwaysAllowed: true}, Allow, LayerDefault, ""},
		{"cwd read", newC(nil, nil, Options{}), "fs_read", tool.Access{ReadPaths: []string{cwd + "/a"}}, Allow, LayerDefault, ""},
		{"not trusted", newC(nil, nil, Options{}), "execute_bash", bash("ls"), Ask, LayerDefault, ""},
		{"allowedTools", newC([]string{"execute_bash"}, nil, Options{}), "execute_bash", bash("ls"), Allow, LayerAgent, "/agents/dev.json"},
		{"allowedCommands", newC(nil, map[string]string{"execute_bash": `{"allowedCommands":["ls"]}`}, Options{}), "execute_bash", bash("ls"), Allow, LayerAgent, "/agents/dev.json"},
		{"deniedCommands", newC([]string{"execute_bash"}, map[string]string{"execute_bash": `{"deniedCommands":["rm .*"]}`}, Options{}), "execute_bash", bash("rm -rf x"), Deny, LayerAgent, "/agents/dev.json"},
		{"deniedPaths beat cwd", newC(nil, map[string]string{"fs_read": `{"deniedPaths":["secret"]}`}, Options{}), "fs_read", tool.Access{ReadPaths: []string{cwd + "/secret"}}, Deny, LayerAgent, "/agents/dev.json"},
		{"--trust-tools", newC(nil, nil, Options{TrustTools: []string{"execute_bash"}, TrustToolsSet: true}), "execute_bash", bash("ls"), Allow, LayerFlag, ""},
		{"--trust-all-tools", newC(nil, nil, Options{TrustAll: true}), "execute_bash", bash("ls"), Allow, LayerFlag, ""},
		{"/tools trust", sessionTrusted, "execute_bash", bash("ls"), Allow, LayerSession, ""},
		{"/tools trust-all", sessionAll, "fs_write", tool.Access{WritePaths: []string{cwd + "/x"}}, Allow, LayerSession, ""},
		{"/tools untrust", untrusted, "execute_bash", bash("ls"), Ask, LayerSession, ""},
	}
	for _, ch := range checks {
		d := ch.c.Decide(ch.tool, "", ch.acc)
		if d.Kind != ch.kind || d.Layer != ch.layer || d.Source != ch.source {
			t.Errorf("%s: got %v/%q from %q (%s), want %v/%q from %q", ch.name, d.Kind, d.Layer, d.Source, d.Rule, ch.kind, ch.layer, ch.source)
		}
		// Only an Ask that no rule made is marked untrusted: the chat shows
		// the rule of every other Ask as its reason.
		if want := ch.name == "not trusted" || ch.name == "/tools untrust"; d.Untrusted != want {
			t.Errorf("%s: Untrusted = %v (rule %q)", ch.name, d.Untrusted, d.Rule)
		}
	}
}
