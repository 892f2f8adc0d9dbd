package contextfiles

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tree writes files (path -> content) under a new temp dir and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func paths(fs []File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Path)
	}
	return out
}

func TestTokens(t *testing.T) {
	for n, want := range map[int]int{0: 0, 19: 0, 20: 10, 59: 10, 60: 20, 4000: 1000, 4019: 1000, 4020: 1010} {
		if got := Tokens(n); got != want {
			t.Errorf("Tokens(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	dir := tree(t, map[string]string{
		"README.md": "r", "docs/a.md": "a", "docs/b.txt": "b", "docs/deep/c.md": "c",
		".amazonq/rules/x.md": "x", ".amazonq/rules/sub/y.md": "y",
	})
	home := tree(t, map[string]string{"notes.md": "n"})
	cases := []struct {
		in   string
		want []string
	}{
		{"file://README.md", []string{"README.md"}},
		{"README.md", []string{"README.md"}},
		{"docs/*.md", []string{"docs/a.md"}},
		{"docs/**/*.md", []string{"docs/a.md", "docs/deep/c.md"}},
		{"file://.amazonq/rules/**/*.md", []string{".amazonq/rules/sub/y.md", ".amazonq/rules/x.md"}},
		{"docs", []string{"docs/a.md", "docs/b.txt"}}, // a directory: its files, not recursive
		{"missing.md", nil},
		{"nothing/*.md", nil},
	}
	for _, tc := range cases {
		got, err := Expand(tc.in, dir, home)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		var want []string
		for _, w := range tc.want {
			want = append(want, filepath.Join(dir, w))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Expand(%q) = %v, want %v", tc.in, got, want)
		}
	}
	if got, _ := Expand("~/notes.md", dir, home); len(got) != 1 || got[0] != filepath.Join(home, "notes.md") {
		t.Errorf("~ not expanded: %v", got)
	}
	if got, _ := Expand("file://"+filepath.Join(dir, "docs", "a.md"), "/elsewhere", home); len(got) != 1 {
		t.Errorf("absolute file:// path: %v", got)
	}
	if _, err := Expand("docs/[a.md", dir, home); err == nil {
		t.Error("a bad pattern gave no error")
	}
}

func TestBuildBudgetLargestFirst(t *testing.T) {
	dir := tree(t, map[string]string{
		"big.md":    strings.Repeat("b", 400), // 100 tokens
		"mid.md":    strings.Repeat("m", 240), // 60
		"small.md":  strings.Repeat("s", 80),  // 20
		"small2.md": strings.Repeat("t", 80),  // 20
	})
	r := Build([]string{"file://*.md"}, dir, "/nohome", 130)
	// Greedy, largest first: big (100) fits, mid (60) does not, then both smalls: 100+20 fits, 120+20 does not.
	if got := paths(r.Files); !reflect.DeepEqual(got, []string{filepath.Join(dir, "big.md"), filepath.Join(dir, "small.md")}) {
		t.Fatalf("kept %v", got)
	}
	if got := paths(r.Dropped); !reflect.DeepEqual(got, []string{filepath.Join(dir, "mid.md"), filepath.Join(dir, "small2.md")}) {
		t.Fatalf("dropped %v", got)
	}
	if len(r.Warnings) != 2 || !strings.Contains(r.Warnings[0], "mid.md (60 tokens) was dropped") {
		t.Fatalf("warnings %q", r.Warnings)
	}
	want := EntryBegin + "[" + filepath.Join(dir, "big.md") + "]\n" + strings.Repeat("b", 400) + "\n" +
		"[" + filepath.Join(dir, "small.md") + "]\n" + strings.Repeat("s", 80) + "\n" + EntryEnd
	if r.Text != want {
		t.Fatalf("text:\n%q\nwant\n%q", r.Text, want)
	}
	if all := Build([]string{"*.md"}, dir, "/nohome", 0); len(all.Files) != 4 || len(all.Dropped) != 0 {
		t.Fatalf("no limit: kept %d dropped %d", len(all.Files), len(all.Dropped))
	}
}

func TestBuildHugeFileNotRead(t *testing.T) {
	dir := tree(t, map[string]string{"huge.md": strings.Repeat("h", 4000), "ok.md": "fine"})
	r := Build([]string{"huge.md", "ok.md"}, dir, "/nohome", 100)
	if len(r.Dropped) != 1 || r.Dropped[0].Content != "" || r.Dropped[0].Tokens != 1000 {
		t.Fatalf("dropped %+v", r.Dropped)
	}
	if len(r.Files) != 1 || r.Files[0].Content != "fine" {
		t.Fatalf("files %+v", r.Files)
	}
}

func TestBuildSkipsBinaryUnreadableAndDuplicates(t *testing.T) {
	dir := tree(t, map[string]string{"text.md": "hello", "bin.md": "a\x00b", "latin1.md": "caf\xe9", "locked.md": "secret"})
	locked := filepath.Join(dir, "locked.md")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	r := Build([]string{"text.md", "*.md", "bin.md", "docs/[x"}, dir, "/nohome", 1000)
	wantFiles := []string{filepath.Join(dir, "text.md")}
	if os.Getuid() == 0 { // root reads anything
		wantFiles = []string{locked, filepath.Join(dir, "text.md")}
	}
	if got := paths(r.Files); !reflect.DeepEqual(got, wantFiles) {
		t.Fatalf("files %v", got)
	}
	joined := strings.Join(r.Warnings, "\n")
	wants := []string{"bin.md skipped: it is a binary file", "latin1.md skipped: it is a binary file", "context docs/[x: invalid glob pattern"}
	if os.Getuid() != 0 {
		wants = append(wants, "locked.md skipped: permission denied")
	}
	for _, w := range wants {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings lack %q:\n%s", w, joined)
		}
	}
	if strings.Count(joined, "bin.md") != 1 {
		t.Errorf("a file matched twice was warned twice:\n%s", joined)
	}
	if empty := Build(nil, dir, "/nohome", 100); empty.Text != "" {
		t.Fatalf("no files gave text %q", empty.Text)
	}
}
