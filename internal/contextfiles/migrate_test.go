package contextfiles

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/agentcfg"
)

func writeLegacy(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLegacyFilesAwaitMigration: files an older Q CLI left are not used
// by sessions until qdev writes them or the user chooses them; what
// /context writes is qdev's and in use.
func TestLegacyFilesAwaitMigration(t *testing.T) {
	home, data := t.TempDir(), t.TempDir()
	writeLegacy(t, GlobalContextPath(home), `{"paths": ["~/standards.md"], "hooks": {}}`)
	writeLegacy(t, ProfileContextPath(home, "dev"), `{"paths": ["README.md"], "hooks": {"h": {"trigger": "per_prompt", "type": "inline", "command": "date"}}}`)
	writeLegacy(t, ProfileContextPath(home, "empty"), `{"paths": [], "hooks": {}}`)
	st := LoadLegacyState(data)
	want := []string{GlobalContextPath(home), ProfileContextPath(home, "dev")}
	if got := st.Pending(home); !reflect.DeepEqual(got, want) {
		t.Fatalf("pending %v, want %v", got, want)
	}
	c, err := LoadLegacy(home, "dev")
	if err != nil {
		t.Fatal(err)
	}
	c.Use(st, false)
	if len(c.Paths()) != 0 || len(c.Hooks()) != 0 {
		t.Fatalf("files awaiting migration are used: %v %v", c.Paths(), c.Hooks())
	}
	if show := c.Show(t.TempDir()); !strings.Contains(show, "(not in use: "+GlobalContextPath(home)) {
		t.Fatalf("show does not say the layer is unused:\n%s", show)
	}
	// Chosen with --profile: used as it is.
	c.Use(st, true)
	if len(c.Paths()) != 2 || len(c.Hooks()[agentcfg.UserPromptSubmit]) != 1 {
		t.Fatalf("explicit profile: %v %v", c.Paths(), c.Hooks())
	}
	// /context writes a layer: that file is qdev's from now on.
	c.Use(st, false)
	if _, err := c.Add(home, false, true, []string{"notes.md"}); err != nil {
		t.Fatal(err)
	}
	if got := c.Paths(); !reflect.DeepEqual(got, []string{"README.md", "notes.md"}) {
		t.Fatalf("paths after /context add: %v", got)
	}
	again := LoadLegacyState(data)
	if !again.Owns(ProfileContextPath(home, "dev")) || again.Owns(GlobalContextPath(home)) {
		t.Fatalf("owned %v", again.Owned)
	}
	if got := again.Pending(home); !reflect.DeepEqual(got, []string{GlobalContextPath(home)}) {
		t.Fatalf("pending after /context add: %v", got)
	}
	again.Migrated = true
	if got := again.Pending(home); len(got) != 0 {
		t.Fatalf("pending after migration: %v", got)
	}
}

func TestMigrate(t *testing.T) {
	home := t.TempDir()
	dir := agentcfg.GlobalDir(home)
	writeLegacy(t, GlobalContextPath(home), `{"paths": ["~/standards.md"], "hooks": {"g": {"trigger": "conversation_start", "type": "inline", "command": "echo g"}}}`)
	writeLegacy(t, ProfileContextPath(home, "dev"), `{"paths": ["README.md", "file://docs/*.md"], "hooks": {
	  "p": {"trigger": "per_prompt", "type": "inline", "command": "date", "timeout_ms": 700},
	  "off": {"trigger": "per_prompt", "type": "inline", "command": "never", "disabled": true}}}`)
	keep := filepath.Join(dir, "default.json")
	writeLegacy(t, ProfileContextPath(home, "default"), `{"paths": ["AmazonQ.md"]}`)
	writeLegacy(t, keep, `{"name": "default", "description": "mine"}`)

	got, err := Migrate(home, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Migrated{}
	for _, m := range got {
		byName[m.Name] = m
	}
	if len(got) != 3 || !byName["default"].Kept || byName["dev"].Kept || byName[GlobalAgentName].Kept {
		t.Fatalf("migrated %+v", got)
	}
	if a, err := agentcfg.ParseFile(keep); err != nil || a.Description != "mine" {
		t.Fatalf("an existing agent was replaced: %v %+v", err, a)
	}
	dev, err := agentcfg.ParseFile(filepath.Join(dir, "dev.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"file://README.md", "file://docs/*.md", "file://~/standards.md"}; !reflect.DeepEqual(dev.Resources, want) {
		t.Errorf("resources %v", dev.Resources)
	}
	if s := dev.Hooks[agentcfg.UserPromptSubmit]; len(s) != 1 || s[0].Command != "date" || s[0].TimeoutMS != 700 {
		t.Errorf("userPromptSubmit %+v", s)
	}
	if s := dev.Hooks[agentcfg.AgentSpawn]; len(s) != 1 || s[0].Command != "echo g" {
		t.Errorf("agentSpawn %+v", s)
	}
	if !dev.UseLegacyMcpJSON || dev.Tools[0] != "*" {
		t.Errorf("dev %+v", dev)
	}
	// --force replaces.
	if got, err := Migrate(home, dir, true); err != nil || len(got) != 3 || got[0].Kept || got[1].Kept || got[2].Kept {
		t.Fatalf("forced: %+v %v", got, err)
	}
	if a, _ := agentcfg.ParseFile(keep); a.Description == "mine" {
		t.Fatal("--force kept the existing agent")
	}
	// A broken legacy file stops it before anything is written.
	writeLegacy(t, GlobalContextPath(home), `{"paths": 3}`)
	if _, err := Migrate(home, t.TempDir(), false); err == nil || !strings.Contains(err.Error(), "global_context.json") {
		t.Fatalf("broken file: %v", err)
	}
}
