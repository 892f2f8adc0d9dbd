package contextfiles

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/agentcfg"
)

func TestLegacyContextMessages(t *testing.T) {
	home := t.TempDir()
	cwd := tree(t, map[string]string{
		"README.md": "r", "coding-standards.md": "c",
		"docs/architecture.md": "a", "docs/best-practices.md": "b", "docs/api.md": "p",
	})
	c, err := LoadLegacy(home, "terraform")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		run  func() (string, error)
		want string
	}{
		{func() (string, error) { return c.Add(cwd, false, false, []string{"README.md"}) }, "Added 1 path(s) to profile context."},
		{func() (string, error) { return c.Add(cwd, true, false, []string{"coding-standards.md"}) }, "Added 1 path(s) to global context."},
		{func() (string, error) { return c.Add(cwd, false, false, []string{"docs/*.md"}) }, "Added 3 path(s) to profile context."},
		{func() (string, error) { return c.Remove(false, []string{"docs/*.md"}) }, "Removed 1 path(s) from profile context."},
		{func() (string, error) { return c.Remove(true, []string{"coding-standards.md"}) }, "Removed 1 path(s) from global context."},
		{func() (string, error) { return c.Clear(false) }, "Cleared all paths from profile context."},
		{func() (string, error) { return c.Clear(true) }, "Cleared all paths from global context."},
	}
	for i, s := range steps {
		got, err := s.run()
		if err != nil || got != s.want {
			t.Fatalf("step %d: %q, %v; want %q", i, got, err, s.want)
		}
	}
}

func TestLegacyContextPersistsAndShows(t *testing.T) {
	home := t.TempDir()
	cwd := tree(t, map[string]string{"README.md": "r", "docs/architecture.md": "a", "docs/best-practices.md": "b", "std.md": "s"})
	c, _ := LoadLegacy(home, "terraform")
	if _, err := c.Add(cwd, false, false, []string{"README.md", "docs/*.md"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Add(cwd, true, false, []string{filepath.Join(cwd, "std.md")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ProfileContextPath(home, "terraform")); err != nil {
		t.Fatalf("profile file not written: %v", err)
	}
	again, err := LoadLegacy(home, "terraform")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Local.Paths, []string{"README.md", "docs/*.md"}) || len(again.Global.Paths) != 1 {
		t.Fatalf("reloaded %+v", again)
	}
	want := "Global context:\n  " + filepath.Join(cwd, "std.md") + "\n" +
		"Profile context (terraform):\n  " + filepath.Join(cwd, "README.md") + "\n  " +
		filepath.Join(cwd, "docs", "architecture.md") + "\n  " + filepath.Join(cwd, "docs", "best-practices.md") + "\n"
	if got := again.Show(cwd); got != want {
		t.Fatalf("show:\n%s\nwant:\n%s", got, want)
	}
	if got := again.Paths(); len(got) != 3 || got[0] != filepath.Join(cwd, "std.md") {
		t.Fatalf("Paths: %v", got)
	}
	// Global context applies to every profile, a profile's only to itself.
	other, _ := LoadLegacy(home, "other")
	if len(other.Global.Paths) != 1 || len(other.Local.Paths) != 0 {
		t.Fatalf("other profile sees %+v", other)
	}
	if got := other.Show(cwd); !strings.Contains(got, "Profile context (other):\n  <none>\n") {
		t.Fatalf("empty layer: %s", got)
	}
}

func TestLegacyContextErrors(t *testing.T) {
	home := t.TempDir()
	cwd := tree(t, map[string]string{"a.md": "a"})
	c, _ := LoadLegacy(home, "")
	if c.Profile != DefaultProfile {
		t.Fatalf("profile %q", c.Profile)
	}
	cases := []struct {
		paths []string
		force bool
		want  string
	}{
		{[]string{"missing.md"}, false, "invalid path 'missing.md': Path '" + filepath.Join(cwd, "missing.md") + "' does not exist; use --force"},
		{[]string{"*.txt"}, false, "No files found matching glob pattern"},
		{[]string{"a.md", "a.md"}, false, "rule 'a.md' already exists"},
		{nil, false, "no paths given"},
	}
	for _, tc := range cases {
		if _, err := c.Add(cwd, false, tc.force, tc.paths); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Add(%v): %v, want %q", tc.paths, err, tc.want)
		}
	}
	if len(c.Local.Paths) != 0 {
		t.Fatalf("a failed add changed the context: %v", c.Local.Paths)
	}
	if msg, err := c.Add(cwd, false, true, []string{"later.md"}); err != nil || msg != "Added 1 path(s) to profile context." {
		t.Fatalf("forced add: %q %v", msg, err)
	}
	if _, err := c.Add(cwd, false, false, []string{"later.md"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate add: %v", err)
	}
	if _, err := c.Remove(false, []string{"nope.md"}); err == nil || !strings.Contains(err.Error(), "none of the specified paths") {
		t.Fatalf("remove absent: %v", err)
	}
	if err := os.WriteFile(GlobalContextPath(home), []byte("{\n \"paths\": 3}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLegacy(home, ""); err == nil || !strings.Contains(err.Error(), "global_context.json:2:11: paths: expected an array") {
		t.Fatalf("bad file: %v", err)
	}
}

func TestLegacyHooks(t *testing.T) {
	home := t.TempDir()
	c, _ := LoadLegacy(home, "dev")
	msgs := []struct {
		run  func() (string, error)
		want string
	}{
		{func() (string, error) { return c.AddHook(false, "git-status", "per_prompt", "git status --short") }, "Added hook 'git-status'."},
		{func() (string, error) {
			return c.AddHook(true, "project-info", "conversation_start", "echo 'Project: '$(basename $(pwd))")
		}, "Added hook 'project-info'."},
		{func() (string, error) { return c.AddHook(false, "off", "per_prompt", "echo off") }, "Added hook 'off'."},
		{func() (string, error) { return c.SetHookDisabled(false, "off", true) }, "Disabled hook 'off'."},
	}
	for i, m := range msgs {
		if got, err := m.run(); err != nil || got != m.want {
			t.Fatalf("step %d: %q %v", i, got, err)
		}
	}
	if _, err := c.AddHook(false, "x", "on_start", "echo"); err == nil || !strings.Contains(err.Error(), `invalid trigger "on_start"`) {
		t.Fatalf("bad trigger: %v", err)
	}
	if _, err := c.AddHook(false, "git-status", "per_prompt", "x"); err == nil {
		t.Fatal("duplicate hook name accepted")
	}
	reloaded, err := LoadLegacy(home, "dev")
	if err != nil {
		t.Fatal(err)
	}
	h := reloaded.Local.Hooks["git-status"]
	if h.TimeoutMS != 5000 || h.MaxOutputSize != 10240 || h.Type != "inline" || h.Command != "git status --short" {
		t.Fatalf("stored hook %+v", h)
	}
	got := reloaded.Hooks()
	want := map[agentcfg.Trigger][]agentcfg.HookSpec{
		agentcfg.AgentSpawn:       {{Command: "echo 'Project: '$(basename $(pwd))", TimeoutMS: 5000, MaxOutputSize: 10240}},
		agentcfg.UserPromptSubmit: {{Command: "git status --short", TimeoutMS: 5000, MaxOutputSize: 10240}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Hooks() = %+v", got)
	}
	show := reloaded.ShowHooks()
	for _, w := range []string{"global:\n    On Session Start:\n      project-info (enabled)", "profile (dev):", "off (disabled): echo off", "git-status (enabled): git status --short"} {
		if !strings.Contains(show, w) {
			t.Errorf("ShowHooks lacks %q:\n%s", w, show)
		}
	}
	if msg, _ := reloaded.SetAllHooksDisabled(false, false); msg != "Enabled all hooks." || len(reloaded.Hooks()[agentcfg.UserPromptSubmit]) != 2 {
		t.Fatalf("enable-all: %q %+v", msg, reloaded.Hooks())
	}
	if msg, err := reloaded.RemoveHook(true, "project-info"); err != nil || msg != "Removed hook 'project-info'." {
		t.Fatalf("remove: %q %v", msg, err)
	}
	// A hand-written hook without limits gets the Q CLI code's defaults.
	if err := os.WriteFile(GlobalContextPath(home), []byte(`{"hooks": {"h": {"trigger": "per_prompt", "type": "inline", "command": "date"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c2, err := LoadLegacy(home, "dev")
	if err != nil || c2.Global.Hooks["h"].TimeoutMS != 30000 {
		t.Fatalf("defaults: %v %+v", err, c2.Global.Hooks)
	}
	if err := os.WriteFile(GlobalContextPath(home), []byte(`{"hooks": {"h": {"trigger": "sometimes", "command": "date"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLegacy(home, "dev"); err == nil || !strings.Contains(err.Error(), `hook "h": unknown trigger "sometimes"`) {
		t.Fatalf("bad stored trigger: %v", err)
	}
}

func TestProfiles(t *testing.T) {
	home := t.TempDir()
	if got := ListProfiles(home); !reflect.DeepEqual(got, []string{"default"}) {
		t.Fatalf("fresh: %v", got)
	}
	for _, n := range []string{"prod", "dev"} {
		if err := CreateProfile(home, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := CreateProfile(home, "dev"); err == nil {
		t.Fatal("duplicate profile created")
	}
	for _, bad := range []string{"", "../x", ".hidden", "a/b"} {
		if err := CreateProfile(home, bad); err == nil {
			t.Errorf("profile name %q accepted", bad)
		}
	}
	if got := ListProfiles(home); !reflect.DeepEqual(got, []string{"default", "dev", "prod"}) {
		t.Fatalf("list: %v", got)
	}
	if err := DeleteProfile(home, "default"); err == nil {
		t.Fatal("default deleted")
	}
	if err := DeleteProfile(home, "prod"); err != nil || ProfileExists(home, "prod") {
		t.Fatalf("delete: %v", err)
	}
}
