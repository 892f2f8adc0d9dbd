package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/settings"
)

// agentEnv gives q a fresh home, config dir and workspace (the current
// directory) and no editor; it returns home and workspace.
func agentEnv(t *testing.T) (home, ws string) {
	t.Helper()
	settingsEnv(t)
	home = os.Getenv("HOME")
	ws = filepath.Join(filepath.Dir(home), "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(ws)
	t.Setenv("EDITOR", "")
	return home, ws
}

// runAgent runs `q agent ARGS...` in-process.
func runAgent(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := &cobra.Command{Use: "q", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.AddCommand(NewCmdAgent(IO{Out: &out, ErrOut: &errOut}))
	root.SetArgs(append([]string{"agent"}, args...))
	err = root.Execute()
	return out.String(), errOut.String(), err
}

// fakeEditor makes $EDITOR a script that overwrites its file with content.
func fakeEditor(t *testing.T, content string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "content")
	if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "editor")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat '"+src+"' > \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", script)
}

func agentExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestAgentCreateListSetDefault(t *testing.T) {
	home, ws := agentEnv(t)
	out, _, err := runAgent(t)
	if err != nil || out != "* q_cli_default  (built-in)  Default agent\n" {
		t.Fatalf("fresh list: %q %v", out, err)
	}
	if _, errOut, err := runAgent(t, "create", "--name", "rev"); err != nil || !strings.Contains(errOut, "Created agent rev") {
		t.Fatalf("create: %v %s", err, errOut)
	}
	global := filepath.Join(agentcfg.GlobalDir(home), "rev.json")
	a, err := agentcfg.ParseFile(global)
	if err != nil || a.Name != "rev" || a.Tools[0] != "*" || len(a.Resources) != len(agentcfg.DefaultResources) {
		t.Fatalf("created file: %v %+v", err, a)
	}
	if _, _, err := runAgent(t, "create", "-n", "rev"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second create: %v", err)
	}
	if err := os.WriteFile(global, []byte(`{"name": "rev", "description": "Reviews", "tools": ["fs_read"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runAgent(t, "create", "-n", "rev2", "-d", "workspace", "--from", "rev"); err != nil {
		t.Fatal(err)
	}
	copied, err := agentcfg.ParseFile(filepath.Join(agentcfg.WorkspaceDir(ws), "rev2.json"))
	if err != nil || copied.Name != "rev2" || len(copied.Tools) != 1 || copied.Description != "Reviews" {
		t.Fatalf("--from copy: %v %+v", err, copied)
	}

	if _, errOut, err := runAgent(t, "set-default", "-n", "rev"); err != nil || !strings.Contains(errOut, "Default agent set to 'rev'") {
		t.Fatalf("set-default: %v %s", err, errOut)
	}
	s, err := settings.Load(settings.DefaultPath())
	if err != nil || s.String("chat.defaultAgent", "") != "rev" {
		t.Fatalf("setting not saved: %v", err)
	}
	out, _, _ = runAgent(t, "list")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "* rev ") || !strings.HasSuffix(lines[1], "Reviews") ||
		!strings.HasPrefix(lines[0], "  q_cli_default") || !strings.Contains(lines[2], agentcfg.WorkspaceDir(ws)) {
		t.Fatalf("list:\n%s", out)
	}
	if _, _, err := runAgent(t, "set-default", "-n", "ghost"); err == nil || !strings.Contains(err.Error(), "no agent with name ghost") {
		t.Fatalf("unknown default: %v", err)
	}
}

func TestAgentCreateOpensEditorAndValidates(t *testing.T) {
	home, _ := agentEnv(t)
	fakeEditor(t, "{\n  \"name\": \"ed\",\n  \"toolSettings\": {}\n}\n")
	_, errOut, err := runAgent(t, "create", "-n", "ed")
	file := filepath.Join(agentcfg.GlobalDir(home), "ed.json")
	if agentExitCode(err) != 1 || !strings.Contains(errOut, file+`:3:3: unknown field "toolSettings"`) {
		t.Fatalf("invalid edit: code %d, %s", agentExitCode(err), errOut)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal("the invalid file was not kept for fixing")
	}
	fakeEditor(t, `{"name": "ed", "prompt": "Be brief."}`)
	if _, errOut, err := runAgent(t, "edit", "-n", "ed"); err != nil || !strings.Contains(errOut, "Edited agent ed") {
		t.Fatalf("edit of a broken file: %v %s", err, errOut)
	}
	if a, err := agentcfg.ParseFile(file); err != nil || a.Prompt != "Be brief." {
		t.Fatalf("after edit: %v", err)
	}
	if _, _, err := runAgent(t, "edit", "-n", "q_cli_default"); err == nil || !strings.Contains(err.Error(), "built in") {
		t.Fatalf("edit built-in: %v", err)
	}
	if _, _, err := runAgent(t, "create", "-n", "../x", "--no-edit"); err == nil {
		t.Fatal("a name with a slash was accepted")
	}
}

func TestAgentValidate(t *testing.T) {
	_, ws := agentEnv(t)
	bad := filepath.Join(ws, "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"name\": 5,\n  \"toolSettings\": {}\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := runAgent(t, "validate", "--path", bad)
	want := bad + ":2:11: field \"name\": expected a string, got the number 5\n" + bad + ":3:3: unknown field \"toolSettings\" (did you mean \"toolsSettings\"?)\n"
	if agentExitCode(err) != 1 || errOut != want {
		t.Fatalf("code %d, stderr:\n%s\nwant:\n%s", agentExitCode(err), errOut, want)
	}
	good := filepath.Join(ws, "good.json")
	if err := os.WriteFile(good, []byte(`{"name": "g", "resources": ["README.md"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runAgent(t, "validate", "-p", good)
	if err != nil || out != good+": valid\n" || !strings.Contains(errOut, "warning: "+good+":1:29: resource") {
		t.Fatalf("good: %v %q %q", err, out, errOut)
	}
	if _, _, err := runAgent(t, "validate", "-p", filepath.Join(ws, "none.json")); agentExitCode(err) != 1 {
		t.Fatalf("missing file: %v", err)
	}
}

func TestAgentSchema(t *testing.T) {
	agentEnv(t)
	out, _, err := runAgent(t, "schema")
	var s map[string]any
	if err != nil || json.Unmarshal([]byte(out), &s) != nil || s["title"] != "Agent" {
		t.Fatalf("schema: %v\n%s", err, out)
	}
}
