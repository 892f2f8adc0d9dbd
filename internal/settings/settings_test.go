package settings

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func tempPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "config", "qdev", FileName)
}

func TestKnownKeys(t *testing.T) {
	names := make([]string, 0, len(known))
	for _, k := range known {
		names = append(names, k.Name)
		if k.Description == "" {
			t.Errorf("%s: no description", k.Name)
		}
		if k.Default != nil {
			if _, err := parse(k, Format(k.Default, false)); err != nil {
				t.Errorf("%s: default %v does not pass its own check: %v", k.Name, k.Default, err)
			}
		}
	}
	if !slices.IsSorted(names) {
		t.Error("known keys are not sorted; Lookup needs them sorted")
	}
	// The keys of spec/cli.md §6.4 and the study §6.3, plus qdev's own.
	for _, want := range []string{
		"telemetry.enabled", "telemetryClientId", "codeWhisperer.shareCodeWhispererContentWithAWS",
		"chat.enableThinking", "chat.enableKnowledge", "knowledge.defaultIncludePatterns",
		"knowledge.defaultExcludePatterns", "knowledge.maxFiles", "knowledge.chunkSize",
		"knowledge.chunkOverlap", "knowledge.indexType", "chat.skimCommandKey",
		"chat.autocompletionKey", "chat.enableTangentMode", "chat.tangentModeKey",
		"chat.delegateModeKey", "introspect.tangentMode", "chat.greeting.enabled", "api.timeout",
		"chat.editMode", "chat.enableNotifications", "api.codewhisperer.service", "api.q.service",
		"mcp.initTimeout", "mcp.noInteractiveTimeout", "mcp.loadedBefore", "chat.defaultModel",
		"chat.disableMarkdownRendering", "chat.defaultAgent", "chat.disableAutoCompaction",
		"chat.enableHistoryHints", "chat.enableTodoList", "chat.enableCheckpoint",
		"chat.enableContextUsageIndicator", "chat.enableDelegate", "chat.uiMode",
		"autocomplete.disable", "chat.contextWindow", "chat.autoCompactPercent",
	} {
		if _, ok := Lookup(want); !ok {
			t.Errorf("key %s missing", want)
		}
	}
	if k, _ := Lookup("chat.autoCompactPercent"); k.Default != int64(80) || k.Type != Int {
		t.Errorf("chat.autoCompactPercent = %+v", k)
	}
	if _, ok := Lookup("chat.nope"); ok {
		t.Error("Lookup found an unknown key")
	}
	keys := Keys()
	keys[0].Name = "changed"
	if known[0].Name == "changed" {
		t.Error("Keys returned the registry itself")
	}
}

func TestSetCoercion(t *testing.T) {
	tests := []struct {
		key, raw string
		want     any
		errPart  string
	}{
		{"autocomplete.disable", "true", true, ""},
		{"autocomplete.disable", "FALSE", false, ""},
		{"autocomplete.disable", "yes", nil, "expects true or false"},
		{"mcp.initTimeout", "5000", int64(5000), ""},
		{"mcp.initTimeout", " 250 ", int64(250), ""},
		{"mcp.initTimeout", "5s", nil, "expects an integer"},
		{"mcp.initTimeout", "-1", nil, "at least 0"},
		{"chat.autoCompactPercent", "101", nil, "between 1 and 100"},
		{"chat.autoCompactPercent", "0", nil, "between 1 and 100"},
		{"chat.contextWindow", "128000", int64(128000), ""},
		{"chat.defaultModel", "openai/gpt-4o", "openai/gpt-4o", ""},
		{"chat.defaultModel", "5000", "5000", ""}, // digits stay a string for a string key
		{"chat.defaultModel", `"quoted"`, "quoted", ""},
		{"chat.editMode", "VI", "vi", ""},
		{"chat.editMode", "nano", nil, "one of emacs, vi"},
		{"knowledge.defaultIncludePatterns", `["*.md", "*.go"]`, []any{"*.md", "*.go"}, ""},
		{"knowledge.defaultIncludePatterns", `*.md`, nil, "JSON array"},
		{"api.q.service", `{"endpoint":"http://127.0.0.1:1","region":"us-east-1"}`,
			map[string]any{"endpoint": "http://127.0.0.1:1", "region": "us-east-1"}, ""},
		{"api.q.service", `[1]`, nil, "JSON object"},
		{"chat.nope", "true", nil, "`chat.nope` is not a valid setting"},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.raw, func(t *testing.T) {
			s, _ := Load(tempPath(t))
			err := s.Set(tc.key, tc.raw)
			if tc.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errPart) {
					t.Fatalf("Set error = %v, want it to contain %q", err, tc.errPart)
				}
				if _, ok := s.Get(tc.key); ok {
					t.Error("rejected value was stored")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Get(tc.key); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Get = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := tempPath(t)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.All()) != 0 {
		t.Fatalf("missing file loaded as %v", s.All())
	}
	for k, v := range map[string]string{
		"autocomplete.disable": "true", "mcp.initTimeout": "5000", "chat.defaultModel": "openai/gpt-4o",
		"knowledge.defaultExcludePatterns": `["a&b"]`,
	} {
		if err := s.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"a&b"`) {
		t.Errorf("file escapes &: %s", raw)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the settings file (no temp left)", len(entries))
	}

	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.All(), s.All()) {
		t.Errorf("reloaded %v, saved %v", again.All(), s.All())
	}
	if !again.Bool("autocomplete.disable", false) || again.Int("mcp.initTimeout", 0) != 5000 ||
		again.String("chat.defaultModel", "") != "openai/gpt-4o" {
		t.Errorf("typed getters after reload: %v", again.All())
	}

	if err := again.Delete("autocomplete.disable"); err != nil {
		t.Fatal(err)
	}
	if err := again.Save(); err != nil {
		t.Fatal(err)
	}
	third, _ := Load(path)
	if _, ok := third.Get("autocomplete.disable"); ok {
		t.Error("deleted key came back")
	}
}

func TestUnknownKeysKept(t *testing.T) {
	path := tempPath(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	content := `{"future.feature": {"deep": [1, 2.5]}, "chat.enableThinking": true}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("chat.enableTodoList", "true"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("future.feature", "1"); err == nil {
		t.Error("Set accepted a key this version does not know")
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	again, _ := Load(path)
	want := map[string]any{"deep": []any{int64(1), 2.5}}
	if got, _ := again.Get("future.feature"); !reflect.DeepEqual(got, want) {
		t.Errorf("unknown key after save = %#v, want %#v", got, want)
	}
	// A key present in the file can be deleted even when unknown.
	if err := again.Delete("future.feature"); err != nil {
		t.Errorf("Delete of a present unknown key: %v", err)
	}
	if err := again.Delete("never.heard.of"); err == nil || err.Error() != "`never.heard.of` is not a valid setting" {
		t.Errorf("Delete of an absent unknown key: %v", err)
	}
	if err := again.Delete("chat.uiMode"); err != nil {
		t.Errorf("Delete of an unset known key: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"syntax", "{\n  \"a\": true,\n  \"b\": tru\n}", "line 3, column 11: invalid JSON: invalid character"},
		{"truncated", "{\n  \"a\": 1,", "line 2, column 10: invalid JSON: the text ends early"},
		{"array", "[1, 2]", "line 1, column 1: expected an object, found an array"},
		{"null", "null", "not a JSON object"},
		{"trailing", "{}\n}", "line 2, column 1: invalid JSON: unexpected data after the object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming the file and containing %q", msg, tc.want)
			}
		})
	}
	empty := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(empty, []byte(" \n"), 0o600)
	if s, err := Load(empty); err != nil || len(s.All()) != 0 {
		t.Errorf("blank file: %v, %v", s, err)
	}
}

func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "settings.json")
	os.MkdirAll(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte(`{}`), 0o600)
	link := filepath.Join(dir, "config", FileName)
	os.MkdirAll(filepath.Dir(link), 0o700)
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	s, _ := Load(link)
	s.Set("chat.enableThinking", "true")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink replaced: %v %v", fi, err)
	}
	if data, _ := os.ReadFile(real); !strings.Contains(string(data), "chat.enableThinking") {
		t.Errorf("target not updated: %s", data)
	}
}

func TestTypedGettersLenient(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(path, []byte(`{"a": "true", "b": 5000.0, "c": "42", "d": 7, "e": [1]}`), 0o600)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Bool("a", false) || s.Int("b", 0) != 5000 || s.Int("c", 0) != 42 {
		t.Errorf("lenient reads: %v", s.All())
	}
	if s.String("d", "def") != "def" || s.Bool("e", true) != true || s.Int("missing", -3) != -3 {
		t.Error("wrong-typed or missing values must give the default")
	}
}

func TestStrings(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(path, []byte(`{"x.list": ["a", 1, "", "b"], "x.scalar": "a"}`), 0o600)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Strings("x.list"); !slices.Equal(got, []string{"a", "", "b"}) {
		t.Errorf("Strings(x.list) = %q; want the string elements in order", got)
	}
	if s.Strings("x.scalar") != nil || s.Strings("missing") != nil {
		t.Error("a value that is not an array must give nil")
	}
}

func TestSetValue(t *testing.T) {
	s, _ := Load(tempPath(t))
	if err := s.SetValue("chat.enableDelegate", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValue("mcp.initTimeout", 100); err != nil {
		t.Fatal(err)
	}
	if err := s.SetValue("mcp.initTimeout", "soon"); err == nil {
		t.Error("SetValue accepted a string for an integer key")
	}
	if v, _ := s.Get("mcp.initTimeout"); v != int64(100) {
		t.Errorf("mcp.initTimeout = %#v", v)
	}
}

// docs/settings.md documents every key; this keeps the two from drifting.
func TestDocsListEveryKey(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "settings.md"))
	if err != nil {
		t.Skip("docs not found:", err)
	}
	for _, k := range known {
		if !strings.Contains(string(doc), "| `"+k.Name+"` | "+k.Type.String()) {
			t.Errorf("docs/settings.md has no table row for %s (%s)", k.Name, k.Type)
		}
	}
}
