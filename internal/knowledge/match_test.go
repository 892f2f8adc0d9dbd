package knowledge

import (
	"strings"
	"testing"
)

func TestGitignoreRules(t *testing.T) {
	top := parseIgnore([]byte("# comment\n\n*.log\n!keep.log\nbuild/\n/only-top.txt\ndocs/**/draft.md\nvendor/**\n\\#hash\nspace\\ \ntrailing   \nbad[\nlit{a,b}\n"), "")
	sub := parseIgnore([]byte("local.txt\n!important.log\n"), "sub")
	rules := append(ignoreList(top), sub...)
	for _, c := range []struct {
		path  string
		dir   bool
		want  bool
		label string
	}{
		{"a.log", false, true, "glob at top"},
		{"x/y/a.log", false, true, "unanchored glob at any depth"},
		{"keep.log", false, false, "negation"},
		{"build", true, true, "dir-only on a folder"},
		{"build", false, false, "dir-only on a file"},
		{"x/build", true, true, "unanchored dir at depth"},
		{"only-top.txt", false, true, "anchored"},
		{"x/only-top.txt", false, false, "anchored not at depth"},
		{"docs/draft.md", false, true, "** matches no folder"},
		{"docs/a/b/draft.md", false, true, "** matches folders"},
		{"vendor", true, false, "dir/** leaves the folder itself"},
		{"vendor/x.go", false, true, "dir/** takes what is inside"},
		{"#hash", false, true, "escaped #"},
		{"space ", false, true, "escaped trailing space"},
		{"trailing", false, true, "trailing spaces trimmed"},
		{"lit{a,b}", false, true, "braces are literal"},
		{"lita", false, false, "braces are not alternatives"},
		{"sub/local.txt", false, true, "nested file's rule"},
		{"local.txt", false, false, "nested rule stays below its folder"},
		{"sub/important.log", false, false, "deeper negation wins"},
		{"other/important.log", false, true, "negation only below its folder"},
	} {
		if got := rules.ignored(c.path, c.dir); got != c.want {
			t.Errorf("%s: ignored(%q) = %v, want %v", c.label, c.path, got, c.want)
		}
	}
}

func FuzzGitignore(f *testing.F) {
	f.Add([]byte("*.log\n!keep.log\nbuild/\n/a/**/b\n"), "a/x/b")
	f.Add([]byte("\\!x\n[\n{\n\\"), "{")
	f.Fuzz(func(t *testing.T, data []byte, p string) {
		rules := ignoreList(parseIgnore(data, "base"))
		_ = rules.ignored("base/"+p, false)
		_ = rules.ignored(p, true)
	})
}

func TestPatterns(t *testing.T) {
	p, err := newPatterns("/r", []string{"*.rs", "docs/**/*.md", "/r/abs/*.txt"}, []string{"target/**", "node_modules"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"main.rs":             true,
		"src/lib/mod.rs":      true,
		"main.py":             false,
		"docs/a/b.md":         true,
		"x/docs/b.md":         true, // a tail of the path matches
		"b.md":                false,
		"abs/n.txt":           true,
		"target/debug/x.rs":   false,
		"sub/target/x.rs":     false,
		"node_modules/i.rs":   true, // the folder pattern excludes the folder, see excludesDir
		"abs/deeper/n.txt.rs": true,
	} {
		if got := p.includes(path); got != want {
			t.Errorf("includes(%q) = %v, want %v", path, got, want)
		}
	}
	for dir, want := range map[string]bool{"target": true, "a/target": true, "node_modules": true, "src": false} {
		if got := p.excludesDir(dir); got != want {
			t.Errorf("excludesDir(%q) = %v, want %v", dir, got, want)
		}
	}
	if _, err := newPatterns("/r", nil, []string{"ok", "[z"}); err == nil || !strings.Contains(err.Error(), `invalid exclude pattern "[z"`) {
		t.Fatalf("bad pattern: %v", err)
	}
}
