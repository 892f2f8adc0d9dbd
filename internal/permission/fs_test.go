package permission

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

func readAcc(paths ...string) tool.Access  { return tool.Access{ReadPaths: paths} }
func writeAcc(paths ...string) tool.Access { return tool.Access{WritePaths: paths} }

// checkerIn builds a Checker for an explicit working directory.
func checkerIn(t *testing.T, cwd string, settings map[string]string, allowed []string, opts Options) *Checker {
	t.Helper()
	ts := map[string]json.RawMessage{}
	for k, v := range settings {
		ts[k] = json.RawMessage(v)
	}
	c, _, err := New(Config{AllowedTools: allowed, ToolsSettings: ts, Cwd: cwd, Home: "/home/user"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The original's fs_read test_eval_perm_denied_path and
// test_eval_perm_allowed_path_and_cwd / _no_settings_cwd_behavior.
func TestFsReadOriginalVectors(t *testing.T) {
	const deniedOne, deniedGlob = "/some/denied/path", "/denied/glob/**/path"
	settings := map[string]string{"fs_read": `{"deniedPaths": ["` + deniedOne + `", "` + deniedGlob + `"]}`}
	acc := readAcc(deniedOne, deniedOne+"/child", "/denied/glob/middle_one/middle_two/path", "/denied/glob/middle_one/middle_two/path/child")
	for _, allowed := range [][]string{nil, {"fs_read"}} {
		c := checkerIn(t, "/home/user", settings, allowed, Options{})
		d := c.Decide("fs_read", "", acc)
		if d.Kind != Deny || !hasReason(d, deniedOne) || !hasReason(d, deniedGlob) {
			t.Errorf("allowed=%v: %+v, want Deny naming both rules", allowed, d)
		}
	}

	c := checkerIn(t, "/home/user", map[string]string{"fs_read": `{"allowedPaths": ["/explicitly/allowed/path"]}`}, nil, Options{})
	for _, tc := range []struct {
		acc  tool.Access
		want Kind
	}{
		{readAcc("/explicitly/allowed/path", "/explicitly/allowed/path/file.txt"), Allow},
		{readAcc("/home/user/", "/home/user/file.txt"), Allow},
		{readAcc("/tmp/not/allowed/file.txt"), Ask},
	} {
		if d := c.Decide("fs_read", "", tc.acc); d.Kind != tc.want {
			t.Errorf("%v: %+v, want %v", tc.acc.ReadPaths, d, tc.want)
		}
	}
	c = checkerIn(t, "/home/user", nil, nil, Options{})
	if d := c.Decide("fs_read", "", readAcc("/home/user/file.txt")); d.Kind != Allow || d.Rule != "working directory read" {
		t.Errorf("cwd read without settings: %+v", d)
	}
	if d := c.Decide("fs_read", "", readAcc("/tmp/not/allowed/file.txt")); d.Kind != Ask || !hasReason(d, "/tmp/not/allowed/file.txt") {
		t.Errorf("outside read: %+v", d)
	}
	if d := c.Decide("fs_read", "", readAcc("/home/user-other/x")); d.Kind != Ask {
		t.Errorf("a sibling sharing the prefix is not inside the working directory: %+v", d)
	}
}

// The original's fs_write test_eval_perm.
func TestFsWriteOriginalVectors(t *testing.T) {
	settings := map[string]string{"fs_write": `{
		"allowedPaths": ["/some/allow/path", "/allowed/glob/**/path"],
		"deniedPaths": ["/some/denied/path", "/denied/glob/**/path"]}`}
	c := checkerIn(t, "/", settings, nil, Options{})
	cases := []struct {
		path string
		want Kind
		rule string
	}{
		{"/not/a/denied/path/file.txt", Ask, ""},
		{"/some/denied/path/file.txt", Deny, "/some/denied/path"},
		{"/some/denied/path/subdir/", Deny, "/some/denied/path"},
		{"/some/denied/path", Deny, "/some/denied/path"},
		{"/denied/glob/child_one/path/file.txt", Deny, "/denied/glob/**/path"},
		{"/denied/glob/child_one/grand_child_one/path/file.txt", Deny, "/denied/glob/**/path"},
		{"/some/allow/path/some_file.txt", Allow, ""},
		{"/some/allow/path/subdir/file.txt", Allow, ""},
		{"/allowed/glob/child_one/grand_child_one/path/some_file.txt", Allow, ""},
		{"/some/allow/path", Allow, ""},
	}
	for _, tc := range cases {
		d := c.Decide("fs_write", "", writeAcc(tc.path))
		if d.Kind != tc.want || tc.rule != "" && !hasReason(d, tc.rule) {
			t.Errorf("%s: %+v, want %v %s", tc.path, d, tc.want, tc.rule)
		}
	}
	trusted := checkerIn(t, "/", settings, []string{"fs_write"}, Options{})
	if d := trusted.Decide("fs_write", "", writeAcc("/denied/glob/child_one/grand_child_one/path/file.txt")); d.Kind != Deny {
		t.Errorf("deny must beat allowedTools: %+v", d)
	}
	if d := trusted.Decide("fs_write", "", writeAcc("/anywhere")); d.Kind != Allow {
		t.Errorf("trusted fs_write: %+v", d)
	}
	// No working-directory default for writes.
	if d := checkerIn(t, "/home/user", nil, nil, Options{}).Decide("fs_write", "", writeAcc("/home/user/x")); d.Kind != Ask {
		t.Errorf("write in cwd: %+v", d)
	}
}

func TestFsPathExpansionAndSymlinks(t *testing.T) {
	root := t.TempDir()
	cwd := filepath.Join(root, "proj")
	secret := filepath.Join(root, "secret")
	for _, d := range []string{cwd, secret} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secret, filepath.Join(cwd, "link")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("QDEV_TEST_SECRET", secret)
	settings := map[string]string{
		"fs_read":  `{"deniedPaths": ["$QDEV_TEST_SECRET/*.key", "~/.ssh"], "allowedPaths": ["${QDEV_TEST_SECRET}/pub"]}`,
		"fs_write": `{"allowedPaths": ["./out"]}`,
	}
	c := checkerIn(t, cwd, settings, nil, Options{})
	tests := []struct {
		tool string
		acc  tool.Access
		want Kind
	}{
		{"fs_read", readAcc(filepath.Join(cwd, "main.go")), Allow},
		// Inside the working directory by name, outside in fact.
		{"fs_read", readAcc(filepath.Join(cwd, "link", "notes.txt")), Ask},
		{"fs_read", readAcc(filepath.Join(cwd, "link", "pub", "a")), Allow},
		{"fs_read", readAcc(filepath.Join(cwd, "link", "a.key")), Deny},
		{"fs_read", readAcc(filepath.Join(cwd, "link", "new", "b.key")), Deny},
		{"fs_read", readAcc(filepath.Join(cwd, "x", "..", "link", "a.key")), Deny},
		{"fs_read", readAcc("/home/user/.ssh/id_rsa"), Deny},
		{"fs_read", readAcc("main.go"), Allow},
		{"fs_write", writeAcc(filepath.Join(cwd, "out", "f.txt")), Allow},
		{"fs_write", writeAcc(filepath.Join(cwd, "f.txt")), Ask},
	}
	for _, tt := range tests {
		if d := c.Decide(tt.tool, "", tt.acc); d.Kind != tt.want {
			t.Errorf("%s %v: %+v, want %v", tt.tool, tt.acc, d, tt.want)
		}
	}
}

func TestFsSettingsWarnings(t *testing.T) {
	_, warns := newChecker(t, map[string]string{
		"fs_read":  `{"deniedPaths": ["$QDEV_SURELY_UNSET_VAR/x"], "autoAllowReadonly": true}`,
		"fs_write": `[1]`,
	}, nil, Options{})
	want := []string{
		`toolsSettings.fs_read: unknown key "autoAllowReadonly" ignored (fs_read's key is "allowReadOnly")`,
		`toolsSettings.fs_read.deniedPaths[0] "$QDEV_SURELY_UNSET_VAR/x": $QDEV_SURELY_UNSET_VAR is not set; ignored`,
		`toolsSettings.fs_write: must be a JSON object; every fs_write call will ask`,
	}
	if strings.Join(warns, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
	}
}

func TestFsReadAllowReadOnly(t *testing.T) {
	c := checkerIn(t, "/home/user", map[string]string{"fs_read": `{"allowReadOnly": true, "deniedPaths": ["/etc/shadow"]}`}, nil, Options{})
	if d := c.Decide("fs_read", "", readAcc("/var/log/x")); d.Kind != Allow || d.Rule != "toolsSettings.fs_read.allowReadOnly" {
		t.Errorf("allowReadOnly: %+v", d)
	}
	if d := c.Decide("fs_read", "", readAcc("/etc/shadow", "/var/log/x")); d.Kind != Deny {
		t.Errorf("deny in a batch: %+v", d)
	}
}

// The Kiro CLI's fs_write fallbackAction "deny" refuses a write no
// allowedPaths entry covers, even when fs_write is trusted, as a deny
// rule does; "ask" and "allow" leave such a write asking.
func TestFsWriteFallbackDeny(t *testing.T) {
	settings := map[string]string{"fs_write": `{"allowedPaths": ["/work/**"], "fallbackAction": "deny"}`}
	c := checkerIn(t, "/", settings, nil, Options{})
	if d := c.Decide("fs_write", "", writeAcc("/work/a.txt")); d.Kind != Allow {
		t.Errorf("allowed path: %+v", d)
	}
	d := c.Decide("fs_write", "", writeAcc("/etc/passwd"))
	if d.Kind != Deny || d.Rule != `toolsSettings.fs_write.fallbackAction "deny"` || !hasReason(d, "/etc/passwd") {
		t.Errorf("outside allowedPaths: %+v", d)
	}
	trusted := checkerIn(t, "/", settings, []string{"fs_write"}, Options{TrustAll: true})
	if d := trusted.Decide("fs_write", "", writeAcc("/etc/passwd")); d.Kind != Deny {
		t.Errorf("trust must not beat fallbackAction deny: %+v", d)
	}
	if got := c.Label("fs_write", ""); got != "trust allowed paths (deny rules apply)" {
		t.Errorf("label %q", got)
	}
	for _, action := range []string{"ask", "allow"} {
		c := checkerIn(t, "/", map[string]string{"fs_write": `{"fallbackAction": "` + action + `"}`}, nil, Options{})
		if d := c.Decide("fs_write", "", writeAcc("/etc/passwd")); d.Kind != Ask {
			t.Errorf("%s: %+v", action, d)
		}
	}
	c, warns := newChecker(t, map[string]string{"fs_write": `{"fallbackAction": "block"}`}, nil, Options{})
	if d := c.Decide("fs_write", "", writeAcc("/etc/passwd")); d.Kind != Deny || len(warns) != 1 {
		t.Errorf("an unknown action must deny: %+v %v", d, warns)
	}
}
