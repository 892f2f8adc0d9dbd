package permission

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/tool"
)

func loadManaged(t *testing.T, body string) *managed.Settings {
	t.Helper()
	p := filepath.Join(t.TempDir(), "managed.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := managed.LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLayeredManagedRulesWin(t *testing.T) {
	m := loadManaged(t, `{"deniedTools":["fs_write"],"deniedCommands":["rm -rf *","terraform apply*"],
		"requireApproval":["use_aws"],"disableTrustAll":true}`)
	dir := t.TempDir()
	c, _, err := New(Config{AllowedTools: []string{"fs_write", "execute_bash", "use_aws"}, Cwd: dir, Home: dir},
		Options{TrustAll: true})
	if err != nil {
		t.Fatal(err)
	}
	l := &Layered{Checker: c, Managed: m}
	cases := []struct {
		tool    string
		acc     tool.Access
		want    Kind
		ruleHas string
	}{
		{"fs_write", tool.Access{WritePaths: []string{dir + "/x"}}, Deny, "blocked by organisation policy"},
		{"execute_bash", tool.Access{Command: "ls && rm -rf build"}, Deny, "rm -rf *"},
		{"execute_bash", tool.Access{Command: "sudo terraform apply -auto-approve"}, Deny, "terraform apply*"},
		{"execute_bash", tool.Access{Command: "bash -c 'rm -rf /'"}, Deny, "rm -rf *"},
		{"execute_bash", tool.Access{Command: "$CMD -rf /"}, Deny, "cannot be checked"},
		{"execute_bash", tool.Access{Command: "ls -la"}, Allow, ""},
		{"use_aws", tool.Access{AWSService: "s3", AWSOperation: "list-buckets"}, Ask, "requires approval"},
	}
	for _, tc := range cases {
		d := l.Decide(tc.tool, "", tc.acc)
		if d.Kind != tc.want || !strings.Contains(d.Rule, tc.ruleHas) {
			t.Errorf("%s %+v = %v %q, want %v containing %q", tc.tool, tc.acc, d.Kind, d.Rule, tc.want, tc.ruleHas)
		}
		if wantManaged := tc.ruleHas != ""; wantManaged != (d.Layer == LayerManaged) || wantManaged && d.Source != m.Path {
			t.Errorf("%s %+v: layer %q source %q, want managed=%v from %q", tc.tool, tc.acc, d.Layer, d.Source, wantManaged, m.Path)
		}
	}
	if err := l.TrustAll(); err == nil || !strings.Contains(err.Error(), "disableTrustAll") {
		t.Fatalf("TrustAll = %v", err)
	}
}

func TestLayeredWithoutManagedIsTheChecker(t *testing.T) {
	dir := t.TempDir()
	c, _, _ := New(Config{Cwd: dir, Home: dir}, Options{})
	l := &Layered{Checker: c}
	if d := l.Decide("execute_bash", "", tool.Access{Command: "rm -rf x"}); d.Kind != Ask {
		t.Fatalf("got %v", d)
	}
	if err := l.TrustAll(); err != nil || !l.TrustedAll() {
		t.Fatalf("TrustAll: %v", err)
	}
}

// What managed deniedCommands cannot check fails closed: a computed name
// is denied, code qdev cannot read asks even under trust-all, and a
// lower layer's deny still wins over that ask.
func TestLayeredManagedFailsClosed(t *testing.T) {
	m := loadManaged(t, `{"deniedCommands":["rm -rf *"]}`)
	dir := t.TempDir()
	c, _, err := New(Config{Cwd: dir, Home: dir, ToolsSettings: map[string]json.RawMessage{
		"execute_bash": json.RawMessage(`{"deniedCommands": ["python3 .*"]}`)}}, Options{TrustAll: true})
	if err != nil {
		t.Fatal(err)
	}
	l := &Layered{Checker: c, Managed: m}
	for _, tc := range []struct {
		cmd   string
		want  Kind
		layer Layer
	}{
		{"$CMD -rf /", Deny, LayerManaged},
		{"bash x.sh", Ask, LayerManaged},
		{"python3 -c 'print(1)'", Deny, LayerAgent},
		{"ls\rx", Ask, LayerManaged},
		{"ls -la", Allow, LayerFlag},
	} {
		d := l.Decide("execute_bash", "", tool.Access{Command: tc.cmd})
		if d.Kind != tc.want || d.Layer != tc.layer {
			t.Errorf("%q: %v %q %q, want %v from %q", tc.cmd, d.Kind, d.Layer, d.Rule, tc.want, tc.layer)
		}
	}
}

// A tool the organisation requires approval for asks whether or not it is
// trusted, says why, and cannot be trusted: "t" would change nothing.
func TestRequireApprovalAlwaysAsks(t *testing.T) {
	m := loadManaged(t, `{"requireApproval":["shell"],"deniedTools":["@git/push"]}`)
	dir := t.TempDir()
	c, _, err := New(Config{Cwd: dir, Home: dir, ToolsSettings: map[string]json.RawMessage{
		"execute_bash": json.RawMessage(`{"deniedCommands":["rm .*"]}`)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := &Layered{Checker: c, Managed: m}
	want := `organisation policy requires approval: requireApproval "shell"`
	for _, trusted := range []bool{false, true} {
		if trusted {
			if err := c.Trust("execute_bash"); err != nil {
				t.Fatal(err)
			}
		}
		d := l.Decide("execute_bash", "", tool.Access{Command: "ls"})
		if d.Kind != Ask || !d.AlwaysAsks || d.Rule != want || d.Source != m.Path {
			t.Errorf("trusted=%v: %+v", trusted, d)
		}
	}
	if d := l.Decide("execute_bash", "", tool.Access{Command: "rm -rf x"}); d.Kind != Deny {
		t.Errorf("a deny rule must still deny: %+v", d)
	}
	if got := l.Label("execute_bash", ""); got != "asks every time ("+want+")" {
		t.Errorf("label %q", got)
	}
	if got := l.Label("push", "git"); !strings.HasPrefix(got, "denied by organisation policy") {
		t.Errorf("label %q", got)
	}
	for _, name := range []string{"execute_bash", "shell"} {
		if err := l.Trust(name); err == nil || !strings.Contains(err.Error(), "asks every time") {
			t.Errorf("Trust(%s) = %v", name, err)
		}
	}
	if err := l.Trust("fs_write"); err != nil {
		t.Errorf("Trust(fs_write) = %v", err)
	}
	if d := l.Decide("fs_write", "", tool.Access{WritePaths: []string{dir + "/a"}}); d.Kind != Allow || d.AlwaysAsks {
		t.Errorf("fs_write: %+v", d)
	}
}

// execute_cmd is the Q CLI's Windows name of execute_bash: a managed deny
// or an agent's deniedCommands written with it was ignored, and the shell
// tool ran what it names.
func TestExecuteCmdNamesTheShellTool(t *testing.T) {
	for _, body := range []string{`{"deniedTools":["execute_cmd"]}`, `{"deniedTools":["@builtin/execute_cmd"]}`} {
		dir := t.TempDir()
		c, _, err := New(Config{Cwd: dir, Home: dir}, Options{TrustAll: true})
		if err != nil {
			t.Fatal(err)
		}
		l := &Layered{Checker: c, Managed: loadManaged(t, body)}
		if d := l.Decide("execute_bash", "", tool.Access{Command: "ls"}); d.Kind != Deny {
			t.Errorf("%s: execute_bash decided %v (%q), want Deny", body, d.Kind, d.Rule)
		}
	}
	dir := t.TempDir()
	c, _, err := New(Config{Cwd: dir, Home: dir, ToolsSettings: map[string]json.RawMessage{
		"execute_cmd": json.RawMessage(`{"deniedCommands":["touch .*"]}`)}}, Options{TrustAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Decide("execute_bash", "", tool.Access{Command: "touch x"}); d.Kind != Deny {
		t.Errorf("toolsSettings.execute_cmd.deniedCommands: decided %v (%q), want Deny", d.Kind, d.Rule)
	}
}
