package tool

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func writeInput(fields map[string]any) string {
	b, _ := json.Marshal(fields)
	return string(b)
}

func TestFSWriteCreate(t *testing.T) {
	env := testEnv(t)
	inv := prepare(t, FSWrite{}, env, writeInput(map[string]any{
		"command": "create", "path": "new/dir/f.go", "file_text": "package x\n\nfunc A() {}", "summary": "add A",
	}))
	d := describe(inv, false)
	for _, want := range []string{"Path: new/dir/f.go (new file)", "@@ -0,0 +1,3 @@", "+package x\n+\n+func A() {}\n", "Purpose: add A"} {
		mustContain(t, d, want)
	}
	if got := inv.Access().WritePaths; len(got) != 1 || got[0] != filepath.Join(env.Cwd, "new/dir/f.go") {
		t.Errorf("WritePaths = %v", got)
	}
	if _, err := os.Stat(filepath.Join(env.Cwd, "new")); !os.IsNotExist(err) {
		t.Fatal("Prepare or Describe touched the disk")
	}
	r := inv.Run(t.Context(), nil)
	if r.IsError {
		t.Fatal(resultText(r))
	}
	mustContain(t, resultText(r), "Created new/dir/f.go (3 lines)")
	path := filepath.Join(env.Cwd, "new/dir/f.go")
	if got := readFile(t, path); got != "package x\n\nfunc A() {}\n" {
		t.Errorf("content = %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v", fi.Mode())
	}

	// Overwriting keeps the file's mode; new_str is accepted for file_text.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	r = runTool(t, FSWrite{}, env, writeInput(map[string]any{"command": "create", "path": path, "new_str": "other\n"}))
	mustContain(t, resultText(r), "Replaced new/dir/f.go")
	if got := readFile(t, path); got != "other\n" {
		t.Errorf("content = %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after overwrite = %v", fi.Mode())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds leftovers: %v", entries)
	}
}

func TestFSWriteStrReplace(t *testing.T) {
	env := testEnv(t)
	path := filepath.Join(env.Cwd, "a.txt")
	const orig = "one\ntwo\nthree\ntwo\n"
	writeFile(t, path, orig)
	tests := []struct {
		old, want string
	}{
		{"four", "no match for old_str in a.txt"},
		{"two", "old_str occurs 2 times in a.txt; add context to make it unique"},
	}
	for _, tc := range tests {
		got := prepareErr(t, FSWrite{}, env, writeInput(map[string]any{"command": "str_replace", "path": "a.txt", "old_str": tc.old, "new_str": "X"}))
		if got != tc.want {
			t.Errorf("old_str %q: error %q, want %q", tc.old, got, tc.want)
		}
	}
	if readFile(t, path) != orig {
		t.Fatal("failed edit changed the file")
	}
	inv := prepare(t, FSWrite{}, env, writeInput(map[string]any{"command": "str_replace", "path": "a.txt", "old_str": "three\ntwo", "new_str": "3\n2"}))
	d := describe(inv, true)
	mustContain(t, d, ansiRed+"-three"+ansiReset)
	mustContain(t, d, ansiGreen+"+3"+ansiReset)
	if r := inv.Run(t.Context(), nil); r.IsError {
		t.Fatal(resultText(r))
	}
	if got := readFile(t, path); got != "one\ntwo\n3\n2\n" {
		t.Errorf("content = %q", got)
	}

	// The file changes between approval and run so old_str is gone: the
	// edit fails and the file keeps what the other writer put there.
	inv = prepare(t, FSWrite{}, env, writeInput(map[string]any{"command": "str_replace", "path": "a.txt", "old_str": "one", "new_str": "1"}))
	writeFile(t, path, "uno\n")
	r := inv.Run(t.Context(), nil)
	if !r.IsError || resultText(r) != "no match for old_str in a.txt" || readFile(t, path) != "uno\n" {
		t.Errorf("stale edit: %+v, file %q", r, readFile(t, path))
	}
}

func TestFSWriteInsertAppend(t *testing.T) {
	env := testEnv(t)
	path := filepath.Join(env.Cwd, "f.txt")
	tests := []struct {
		name, initial string
		input         map[string]any
		want          string
	}{
		{"top", "a\nb\n", map[string]any{"command": "insert", "insert_line": 0, "new_str": "x"}, "x\na\nb\n"},
		{"middle", "a\nb\nc\n", map[string]any{"command": "insert", "insert_line": 2, "new_str": "x\ny\n"}, "a\nb\nx\ny\nc\n"},
		{"past end", "a\nb\n", map[string]any{"command": "insert", "insert_line": 10, "new_str": "x"}, "a\nb\nx\n"},
		{"end without newline", "a\nb", map[string]any{"command": "insert", "insert_line": 2, "new_str": "x"}, "a\nb\nx\n"},
		{"append", "a\n", map[string]any{"command": "append", "new_str": "b"}, "a\nb\n"},
		{"append adds newline", "a", map[string]any{"command": "append", "new_str": "b\n"}, "a\nb\n"},
	}
	for _, tc := range tests {
		writeFile(t, path, tc.initial)
		tc.input["path"] = "f.txt"
		r := runTool(t, FSWrite{}, env, writeInput(tc.input))
		if r.IsError {
			t.Errorf("%s: %s", tc.name, resultText(r))
			continue
		}
		if got := readFile(t, path); got != tc.want {
			t.Errorf("%s: content %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFSWriteBadInput(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "f.txt"), "a\n")
	os.Mkdir(filepath.Join(env.Cwd, "dir"), 0o755)
	tests := []struct{ input, want string }{
		{`{"path":"f.txt"}`, "command is required"},
		{`{"command":"delete","path":"f.txt"}`, `unknown command "delete"`},
		{`{"command":"create"}`, "path is empty"},
		{`{"command":"create","path":"g.txt"}`, "file_text is required"},
		{`{"command":"create","path":"dir","file_text":"x"}`, "dir is a directory"},
		{`{"command":"str_replace","path":"missing.txt","old_str":"a","new_str":"b"}`, "missing.txt does not exist; use command create"},
		{`{"command":"str_replace","path":"f.txt","old_str":"","new_str":"b"}`, "old_str is required"},
		{`{"command":"str_replace","path":"f.txt","old_str":"a"}`, "new_str is required"},
		{`{"command":"insert","path":"f.txt","new_str":"b"}`, "insert_line is required"},
		{`{"command":"insert","path":"f.txt","insert_line":-1,"new_str":"b"}`, "must be 0 or more"},
		{`{"command":"insert","path":"f.txt","insert_line":"2","new_str":"b"}`, `"insert_line" must be an integer`},
		{`{"command":"append","path":"f.txt","new_str":""}`, "new_str is required"},
		{`{"command":"append","path":"missing.txt","new_str":"x"}`, "does not exist"},
	}
	for _, tc := range tests {
		mustContain(t, prepareErr(t, FSWrite{}, env, tc.input), tc.want)
	}
	writeFile(t, filepath.Join(env.Cwd, "bin"), "a\x00b")
	mustContain(t, prepareErr(t, FSWrite{}, env, `{"command":"append","path":"bin","new_str":"x"}`), "binary file")
}

func TestFSWriteThroughSymlink(t *testing.T) {
	env := testEnv(t)
	target := filepath.Join(env.Cwd, "real.txt")
	link := filepath.Join(env.Cwd, "link.txt")
	writeFile(t, target, "a\n")
	if err := os.Symlink("real.txt", link); err != nil {
		t.Fatal(err)
	}
	inv := prepare(t, FSWrite{}, env, `{"command":"append","path":"link.txt","new_str":"b"}`)
	if got := inv.Access().WritePaths; len(got) != 2 || got[0] != target || got[1] != link {
		t.Errorf("WritePaths = %v", got)
	}
	if r := inv.Run(t.Context(), nil); r.IsError {
		t.Fatal(resultText(r))
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if got := readFile(t, target); got != "a\nb\n" {
		t.Errorf("target = %q", got)
	}
}
