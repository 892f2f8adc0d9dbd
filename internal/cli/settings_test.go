package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/settings"
)

// settingsEnv points the XDG directories at a fresh temp dir and returns
// the settings file path q will use.
func settingsEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	return filepath.Join(dir, "config", "qdev", settings.FileName)
}

// runSettings runs `q settings ARGS...` in-process.
func runSettings(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runQ(t, append([]string{"settings"}, args...)...)
}

// runQ runs `q ARGS...` under a bare root that mounts only the settings
// command, as the real root does.
func runQ(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	load := func() (*settings.Settings, error) { return settings.Load(settings.DefaultPath()) }
	root := &cobra.Command{Use: "q", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.AddCommand(NewCmdSettings(load, &out, &errOut))
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, _, err := runSettings(t, args...)
	if err != nil {
		t.Fatalf("q settings %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func wantErr(t *testing.T, part string, args ...string) {
	t.Helper()
	_, _, err := runSettings(t, args...)
	if err == nil || !strings.Contains(err.Error(), part) || strings.Contains(err.Error(), "\n") {
		t.Errorf("q settings %s: error %v, want one line containing %q", strings.Join(args, " "), err, part)
	}
}

func TestSettingsSetGetDelete(t *testing.T) {
	path := settingsEnv(t)
	if out := mustRun(t, "autocomplete.disable", "true"); out != "" {
		t.Errorf("set printed %q", out)
	}
	if out := mustRun(t, "autocomplete.disable"); out != "true\n" {
		t.Errorf("get = %q, want true", out)
	}
	var file map[string]any
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &file); err != nil || file["autocomplete.disable"] != true {
		t.Errorf("file %s: want a JSON boolean; %v", data, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode %v", fi.Mode().Perm())
	}
	if out := mustRun(t, "-d", "autocomplete.disable"); !strings.Contains(out, "autocomplete.disable") {
		t.Errorf("delete printed %q", out)
	}
	wantErr(t, "no value associated with autocomplete.disable", "autocomplete.disable")
	wantErr(t, "no settings found matching autocomplete.disable", "--delete", "autocomplete.disable")
}

func TestSettingsSubcommandForms(t *testing.T) {
	settingsEnv(t)
	mustRun(t, "set", "chat.defaultModel", "openai/gpt-4o")
	if out := mustRun(t, "get", "chat.defaultModel"); out != "openai/gpt-4o\n" {
		t.Errorf("get = %q", out)
	}
	if out := mustRun(t, "get", "chat.defaultModel", "-f", "json"); out != "\"openai/gpt-4o\"\n" {
		t.Errorf("get -f json = %q", out)
	}
	mustRun(t, "set", "mcp.initTimeout", "5000")
	if out := mustRun(t, "-f", "json-pretty", "mcp.initTimeout"); out != "5000\n" {
		t.Errorf("get -f json-pretty = %q", out)
	}
	mustRun(t, "delete", "chat.defaultModel")
	wantErr(t, "no value associated", "get", "chat.defaultModel")
	if out := mustRun(t, "get", "chat.defaultModel", "-f", "json"); out != "null\n" {
		t.Errorf("unset with -f json = %q, want null", out)
	}
	if _, _, err := runQ(t, "setting", "chat.enableThinking", "false"); err != nil { // the Q CLI's alias
		t.Fatal(err)
	}
	if out := mustRun(t, "chat.enableThinking"); out != "false\n" {
		t.Errorf("get = %q", out)
	}
}

func TestSettingsRejects(t *testing.T) {
	path := settingsEnv(t)
	wantErr(t, "`chat.nope` is not a valid setting", "chat.nope", "1")
	wantErr(t, "`chat.nope` is not a valid setting", "chat.nope")
	wantErr(t, "`chat.nope` is not a valid setting", "-d", "chat.nope")
	wantErr(t, "expects an integer", "mcp.initTimeout", "soon")
	wantErr(t, "expects true or false", "set", "chat.enableTodoList", "yes")
	wantErr(t, "invalid format", "all", "-f", "xml")
	wantErr(t, "--delete takes exactly one KEY", "-d")
	wantErr(t, "--delete takes exactly one KEY", "-d", "a", "b")
	wantErr(t, "accepts at most 2 arg(s)", "a", "b", "c")
	wantErr(t, "accepts 2 arg(s)", "set", "chat.uiMode")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("rejected commands wrote the settings file: %v", err)
	}
}

func TestSettingsListFormats(t *testing.T) {
	settingsEnv(t)
	mustRun(t, "autocomplete.disable", "true")
	mustRun(t, "mcp.initTimeout", "5000")
	mustRun(t, "chat.defaultModel", "m")

	plain := mustRun(t, "all")
	if plain != "autocomplete.disable = true\nchat.defaultModel = \"m\"\nmcp.initTimeout = 5000\n" {
		t.Errorf("plain list = %q", plain)
	}
	if json.Valid([]byte(plain)) {
		t.Error("plain output is JSON")
	}
	for _, args := range [][]string{{"all", "-f", "json"}, {"-f", "json", "all"}, {"list", "--format=json"}} {
		out := mustRun(t, args...)
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %q is not JSON: %v", args, out, err)
		}
		if got["autocomplete.disable"] != true || got["mcp.initTimeout"] != 5000.0 || strings.Count(out, "\n") != 1 {
			t.Errorf("%v: %q", args, out)
		}
	}
	pretty := mustRun(t, "all", "-f", "json-pretty")
	if !json.Valid([]byte(pretty)) || !strings.Contains(pretty, "\n  \"mcp.initTimeout\": 5000") {
		t.Errorf("json-pretty = %q", pretty)
	}
}

func TestSettingsListAll(t *testing.T) {
	path := settingsEnv(t)
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`{"future.key": 1, "chat.autoCompactPercent": 70}`), 0o600)

	out := mustRun(t, "list", "--all")
	for _, want := range []string{
		"chat.autoCompactPercent = 70\n    integer: ",
		"api.timeout = 300000 (default)\n",
		"chat.contextWindow (not set)\n    integer: Context window in tokens",
		"chat.editMode = \"emacs\" (default)\n    string (emacs | vi): ",
		"future.key = 1\n    unknown: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list --all lacks %q", want)
		}
	}
	var entries map[string]map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "all", "--all", "-f", "json")), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(settings.Keys())+1 {
		t.Errorf("%d entries, want every known key plus future.key", len(entries))
	}
	if e := entries["chat.greeting.enabled"]; e["type"] != "boolean" || e["default"] != true || e["value"] != nil {
		t.Errorf("chat.greeting.enabled entry = %v", e)
	}
	if e := entries["chat.autoCompactPercent"]; e["value"] != 70.0 || e["default"] != 80.0 {
		t.Errorf("chat.autoCompactPercent entry = %v", e)
	}
}

func TestSettingsDeleteGlobKeepsUnknown(t *testing.T) {
	path := settingsEnv(t)
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`{"future.key": [1], "chat.enableThinking": true, "chat.enableTodoList": true, "chat.uiMode": "x"}`), 0o600)
	out := mustRun(t, "-d", "chat.enable*")
	if out != "Removing `chat.enableThinking`\nRemoving `chat.enableTodoList`\n" {
		t.Errorf("glob delete printed %q", out)
	}
	s, err := settings.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := s.All()
	if len(got) != 2 || got["chat.uiMode"] != "x" || got["future.key"] == nil {
		t.Errorf("after glob delete: %v", got)
	}
	wantErr(t, "no settings found matching nothing.*", "-d", "nothing.*")
	mustRun(t, "delete", "future.key") // present in the file, so deletable though unknown
}

func TestSettingsBadFile(t *testing.T) {
	path := settingsEnv(t)
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("{\n  \"chat.uiMode\": \"x\",,\n}"), 0o600)
	wantErr(t, path+": line 2, column 22: invalid JSON: invalid character ','", "all")
	wantErr(t, "line 2", "chat.uiMode", "y")
}

func TestSettingsOpen(t *testing.T) {
	path := settingsEnv(t)
	bin := t.TempDir()
	editor := filepath.Join(bin, "editor")
	// The fake editor proves the file existed (as {}) before it ran.
	script := "#!/bin/sh\ngrep -q '{}' \"$1\" || exit 3\nprintf '{\"chat.enableThinking\": true}' > \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", editor)
	mustRun(t, "open")
	if out := mustRun(t, "chat.enableThinking"); out != "true\n" {
		t.Errorf("after open: %q", out)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("settings file after open: %v %v", fi, err)
	}

	broken := filepath.Join(bin, "broken")
	// It takes the file as its last argument, after the flag in $EDITOR.
	os.WriteFile(broken, []byte("#!/bin/sh\nfor f; do :; done\nprintf '{\\n\"a\": }' > \"$f\"\n"), 0o755)
	t.Setenv("EDITOR", broken+" --wait")
	wantErr(t, "line 2, column", "open")

	// A broken file still opens, so it can be fixed.
	t.Setenv("EDITOR", editor+" ignored-arg")
	os.WriteFile(editor, []byte("#!/bin/sh\nfor f; do :; done\necho '{}' > \"$f\"\n"), 0o755)
	mustRun(t, "open")
	if out := mustRun(t, "all", "-f", "json"); out != "{}\n" {
		t.Errorf("after fixing: %q", out)
	}

	t.Setenv("EDITOR", filepath.Join(bin, "missing"))
	wantErr(t, "editor "+filepath.Join(bin, "missing"), "open")
}

func TestSettingsNoArgsShowsHelp(t *testing.T) {
	settingsEnv(t)
	out := mustRun(t)
	if !strings.Contains(out, "Usage:") || !strings.Contains(out, "settings [KEY] [VALUE]") {
		t.Errorf("bare q settings printed %q", out)
	}
}
