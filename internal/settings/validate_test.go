package settings

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hand-edited file is held to what `q settings KEY VALUE` accepts: wrong
// types and out-of-range values are errors naming the file and the keys.
func TestLoadValidatesValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	body := `{"chat.autoCompactPercent": 500, "chat.enableThinking": "yes", "mcp.initTimeout": 1.5,
	  "chat.editMode": "nano", "chat.defaultModel": 7, "knowledge.defaultIncludePatterns": "*.md",
	  "some.futureKey": {"x": 1}, "chat.contextWindow": 0}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var fe *FileError
	var bad InvalidValues
	if !errors.As(err, &fe) || fe.Path != path || !errors.As(err, &bad) || len(bad) != 7 {
		t.Fatalf("want 7 problems naming %s, got %v", path, err)
	}
	for _, want := range []string{
		"`chat.autoCompactPercent` must be between 1 and 100, not 500",
		"`chat.contextWindow` must be at least 1, not 0",
		"`chat.defaultModel` expects a string, not 7",
		"`chat.editMode` expects one of emacs, vi, not \"nano\"",
		"`chat.enableThinking` expects true or false, not \"yes\"",
		"`knowledge.defaultIncludePatterns` expects a JSON array, not \"*.md\"",
		"`mcp.initTimeout` expects an integer, not 1.5",
		"q settings --delete KEY",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The same values through q settings are refused with the same words.
	s, err := LoadUnchecked(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("chat.autoCompactPercent", "500"); err == nil || !strings.Contains(err.Error(), "must be between 1 and 100, not 500") {
		t.Fatalf("Set: %v", err)
	}
	// Fixing them makes the file load.
	for _, kv := range [][2]string{{"chat.autoCompactPercent", "50"}, {"chat.enableThinking", "true"}, {"mcp.initTimeout", "5000"},
		{"chat.editMode", "vi"}, {"chat.defaultModel", "openai/m"}, {"knowledge.defaultIncludePatterns", `["*.md"]`}, {"chat.contextWindow", "1000"}} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("fixed file: %v", err)
	}
}

// FuzzValidate: any JSON object loads without checking, and Validate
// accepts exactly what Set accepts for the known keys.
func FuzzValidate(f *testing.F) {
	f.Add("chat.autoCompactPercent", `500`)
	f.Add("chat.editMode", `"VI"`)
	f.Add("mcp.initTimeout", `5000.0`)
	f.Add("chat.enableThinking", `"true"`)
	f.Add("sandbox.writablePaths", `[]`)
	f.Fuzz(func(t *testing.T, key, value string) {
		info, known := Lookup(key)
		v, err := decodeJSON(value)
		if !known || err != nil {
			return
		}
		s := &Settings{path: "f.json", values: map[string]any{key: v}}
		verr := s.Validate()
		if verr != nil && !strings.Contains(verr.Error(), "`"+key+"`") {
			t.Fatalf("error does not name the key: %v", verr)
		}
		// A value Set stores is always valid.
		word := value
		if str, ok := v.(string); ok {
			word = str
		}
		if stored, err := parse(info, word); err == nil {
			s.values[key] = stored
			if err := s.Validate(); err != nil {
				t.Fatalf("Set stored %v for %s, which Validate rejects: %v", stored, key, err)
			}
		}
	})
}
