package tool

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
)

const fourLines = "Hello world!\nThis is line 2\nasdf\nHELLO again\n"

func lineOp(path string, start, end *int) string {
	op := map[string]any{"mode": "Line", "path": path}
	if start != nil {
		op["start_line"] = *start
	}
	if end != nil {
		op["end_line"] = *end
	}
	b, _ := json.Marshal(map[string]any{"operations": []any{op}})
	return string(b)
}

func ip(i int) *int { return &i }

func TestFSReadLineRanges(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "f.txt"), fourLines)
	lines := strings.Split(strings.TrimSuffix(fourLines, "\n"), "\n")
	tests := []struct {
		start, end *int
		want       []string
	}{
		{nil, nil, lines},
		{ip(1), ip(2), lines[:2]},
		{ip(1), ip(-1), lines},
		{ip(2), ip(1), lines[1:2]},
		{ip(-2), ip(-1), lines[2:]},
		{ip(-2), nil, lines[2:]},
		{ip(2), nil, lines[1:]},
		{ip(-100), ip(1), lines[:1]},
		{ip(3), ip(100), lines[2:]},
	}
	for _, tc := range tests {
		r := runTool(t, FSRead{}, env, lineOp("f.txt", tc.start, tc.end))
		if r.IsError || resultText(r) != strings.Join(tc.want, "\n") {
			t.Errorf("start %v end %v: got %q (error %v), want %q", tc.start, tc.end, resultText(r), r.IsError, strings.Join(tc.want, "\n"))
		}
	}
	r := runTool(t, FSRead{}, env, lineOp("f.txt", ip(100), nil))
	if !r.IsError || !strings.Contains(resultText(r), "outside") {
		t.Errorf("past EOF: %+v", r)
	}
}

func TestFSReadLineTextHandling(t *testing.T) {
	env := testEnv(t)
	tests := []struct{ name, content, want string }{
		{"empty", "", ""},
		{"crlf", "a\r\nb\r\n", "a\nb"},
		{"no final newline", "a\nb", "a\nb"},
		{"hidden unicode", "x\u200by\U000E0041z\n", "xyz"},
		{"invalid utf8", "caf\xe9\n", "caf\uFFFD"},
	}
	for _, tc := range tests {
		writeFile(t, filepath.Join(env.Cwd, tc.name), tc.content)
		r := runTool(t, FSRead{}, env, lineOp(tc.name, nil, nil))
		if r.IsError || resultText(r) != tc.want {
			t.Errorf("%s: got %q (error %v), want %q", tc.name, resultText(r), r.IsError, tc.want)
		}
	}
}

func TestFSReadPaths(t *testing.T) {
	env := testEnv(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeFile(t, filepath.Join(home, "h.txt"), "home\n")
	writeFile(t, filepath.Join(env.Cwd, "sub", "s.txt"), "sub\n")

	inv := prepare(t, FSRead{}, env, lineOp("~/h.txt", nil, nil))
	if got := inv.Access().ReadPaths; len(got) != 1 || got[0] != filepath.Join(home, "h.txt") {
		t.Errorf("ReadPaths = %v", got)
	}
	inv = prepare(t, FSRead{}, env, lineOp("sub/../sub/s.txt", nil, nil))
	if got := inv.Access().ReadPaths; got[0] != filepath.Join(env.Cwd, "sub", "s.txt") {
		t.Errorf("ReadPaths = %v", got)
	}
	mustContain(t, describe(inv, false), "Reading file: sub/s.txt, all lines")
	if r := runTool(t, FSRead{}, env, lineOp("~/h.txt", nil, nil)); resultText(r) != "home" {
		t.Errorf("~ read: %q", resultText(r))
	}
}

func TestFSReadBadInput(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "f.txt"), "x\n")
	tests := []struct{ input, want string }{
		{`{"operations":[]}`, "at least one operation"},
		{`{}`, "at least one operation"},
		{`[1]`, "JSON object"},
		{`{"operations":[{"mode":"Lines","path":"f.txt"}]}`, `unknown mode "Lines"`},
		{`{"operations":[{"path":"f.txt"}]}`, "needs a mode"},
		{`{"operations":[{"mode":"Line"}]}`, "needs a path"},
		{`{"operations":[{"mode":"Line","path":"missing.txt"}]}`, "missing.txt does not exist"},
		{`{"operations":[{"mode":"Line","path":"f.txt","start_line":"x"}]}`, `"operations.start_line" must be an integer`},
		{`{"operations":[{"mode":"Line","path":"."}]}`, "is a directory"},
		{`{"operations":[{"mode":"Directory","path":"f.txt"}]}`, "not a directory"},
		{`{"operations":[{"mode":"Line","path":"/dev/null"}]}`, "not a regular file"},
		{`{"operations":[{"mode":"Search","path":"f.txt"}]}`, "non-empty pattern"},
		{`{"operations":[{"mode":"Line","path":"f.txt"},{"mode":"Line","path":"nope"}]}`, "operation 2: nope does not exist"},
	}
	for _, tc := range tests {
		mustContain(t, prepareErr(t, FSRead{}, env, tc.input), tc.want)
	}
}

func TestFSReadBinaryAndHugeFiles(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "bin.dat"), "ELF\x00\x01\x02")
	r := runTool(t, FSRead{}, env, lineOp("bin.dat", nil, nil))
	if !r.IsError || !strings.Contains(resultText(r), "bin.dat is a binary file") {
		t.Errorf("binary: %+v", r)
	}

	var big strings.Builder
	for i := 1; i <= 10000; i++ {
		fmt.Fprintf(&big, "line %05d %s\n", i, strings.Repeat("x", 50))
	}
	writeFile(t, filepath.Join(env.Cwd, "big.txt"), big.String())
	r = runTool(t, FSRead{}, env, lineOp("big.txt", nil, nil))
	if !r.IsError || !strings.Contains(resultText(r), "start_line and end_line") || !strings.Contains(resultText(r), "10000 lines") {
		t.Errorf("huge read: %q", resultText(r))
	}
	r = runTool(t, FSRead{}, env, lineOp("big.txt", ip(-2), nil))
	if r.IsError || !strings.HasPrefix(resultText(r), "line 09999 ") || strings.Count(resultText(r), "\n") != 1 {
		t.Errorf("tail read: %q", resultText(r))
	}

	// One line of 2 MB: refused without holding it whole.
	writeFile(t, filepath.Join(env.Cwd, "oneline.txt"), strings.Repeat("y", 2<<20))
	r = runTool(t, FSRead{}, env, lineOp("oneline.txt", nil, nil))
	if !r.IsError || !strings.Contains(resultText(r), "bytes") {
		t.Errorf("long line: %q", resultText(r)[:min(200, len(resultText(r)))])
	}
}

func TestFSReadSearch(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "f.txt"), fourLines)
	search := func(pattern string, ctx *int) []searchMatch {
		t.Helper()
		op := map[string]any{"mode": "Search", "path": "f.txt", "pattern": pattern}
		if ctx != nil {
			op["context_lines"] = *ctx
		}
		in, _ := json.Marshal(map[string]any{"operations": []any{op}})
		r := runTool(t, FSRead{}, env, string(in))
		if r.IsError {
			t.Fatalf("search: %s", resultText(r))
		}
		var m []searchMatch
		if err := json.Unmarshal([]byte(resultText(r)), &m); err != nil {
			t.Fatalf("result is not JSON: %v: %s", err, resultText(r))
		}
		return m
	}
	m := search("hello", nil)
	if len(m) != 2 || m[0].LineNumber != 1 || m[1].LineNumber != 4 {
		t.Fatalf("matches = %+v", m)
	}
	if want := "→ 1: Hello world!\n  2: This is line 2\n  3: asdf\n"; m[0].Context != want {
		t.Errorf("context = %q, want %q", m[0].Context, want)
	}
	if want := "  2: This is line 2\n  3: asdf\n→ 4: HELLO again\n"; m[1].Context != want {
		t.Errorf("context = %q, want %q", m[1].Context, want)
	}
	if m := search("ASDF", ip(0)); len(m) != 1 || m[0].Context != "→ 3: asdf\n" {
		t.Errorf("no context: %+v", m)
	}
	if m := search("nothing", nil); m == nil || len(m) != 0 {
		t.Errorf("no match: %+v", m)
	}
}

func TestFSReadDirectory(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "a.txt"), "a")
	writeFile(t, filepath.Join(env.Cwd, "d", "b.txt"), "bb")
	writeFile(t, filepath.Join(env.Cwd, "d", "e", "c.txt"), "c")
	if err := os.Symlink("a.txt", filepath.Join(env.Cwd, "link")); err != nil {
		t.Fatal(err)
	}
	list := func(depth int) []string {
		in := fmt.Sprintf(`{"operations":[{"mode":"Directory","path":".","depth":%d}]}`, depth)
		r := runTool(t, FSRead{}, env, in)
		if r.IsError {
			t.Fatal(resultText(r))
		}
		return strings.Split(resultText(r), "\n")
	}
	lines := list(0)
	if len(lines) != 3 {
		t.Fatalf("depth 0: %q", lines)
	}
	re := regexp.MustCompile(`^([-dl])[rwx-]{9} \d+ \d+ \d+ (\d+) [A-Z][a-z]{2} \d{2} \d{2}:\d{2} (/.+)$`)
	kinds := map[string]string{}
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q does not match the listing format", l)
		}
		kinds[filepath.Base(m[3])] = m[1]
	}
	if kinds["a.txt"] != "-" || kinds["d"] != "d" || kinds["link"] != "l" {
		t.Errorf("types = %v", kinds)
	}
	if lines := list(1); len(lines) != 5 || strings.Contains(strings.Join(lines, "\n"), "c.txt") {
		t.Errorf("depth 1: %q", lines)
	}
	if lines := list(2); len(lines) != 6 {
		t.Errorf("depth 2: %q", lines)
	}

	for i := 0; i < maxDirEntries+50; i++ {
		writeFile(t, filepath.Join(env.Cwd, "many", fmt.Sprintf("f%04d", i)), "")
	}
	r := runTool(t, FSRead{}, env, `{"operations":[{"mode":"Directory","path":"many"}]}`)
	out := strings.Split(resultText(r), "\n")
	if len(out) != maxDirEntries+1 || !strings.Contains(out[len(out)-1], "listing stopped") {
		t.Errorf("capped listing has %d lines, last %q", len(out), out[len(out)-1])
	}
}

var pngHeader = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

func TestFSReadImages(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "a.png"), pngHeader)
	writeFile(t, filepath.Join(env.Cwd, "b.JPG"), "\xff\xd8\xff\xe0rest")
	writeFile(t, filepath.Join(env.Cwd, "fake.png"), "not an image")
	writeFile(t, filepath.Join(env.Cwd, "doc.pdf"), "%PDF")
	r := runTool(t, FSRead{}, env, `{"operations":[{"mode":"Image","image_paths":["a.png","b.JPG"]}]}`)
	if r.IsError || len(r.Content) != 2 {
		t.Fatalf("images: %+v", r)
	}
	if b := r.Content[0]; b.Type != model.ImageBlock || b.MediaType != "image/png" || string(b.Data) != pngHeader {
		t.Errorf("png block = %+v", b)
	}
	if b := r.Content[1]; b.MediaType != "image/jpeg" {
		t.Errorf("jpeg block = %+v", b)
	}

	big := filepath.Join(env.Cwd, "big.png")
	writeFile(t, big, pngHeader)
	if err := os.Truncate(big, maxImageBytes); err != nil {
		t.Fatal(err)
	}
	many := make([]string, 11)
	for i := range many {
		many[i] = "a.png"
	}
	manyJSON, _ := json.Marshal(many)
	for _, tc := range []struct{ input, want string }{
		{`{"operations":[{"mode":"Image","image_paths":["doc.pdf"]}]}`, "not a supported image type"},
		{`{"operations":[{"mode":"Image","image_paths":["big.png"]}]}`, "smaller than 10 MiB"},
		{`{"operations":[{"mode":"Image","image_paths":["none.png"]}]}`, "none.png does not exist"},
		{`{"operations":[{"mode":"Image"}]}`, "needs image_paths"},
		{`{"operations":[{"mode":"Image","image_paths":` + string(manyJSON) + `}]}`, "at most 10 images"},
	} {
		mustContain(t, prepareErr(t, FSRead{}, env, tc.input), tc.want)
	}
	r = runTool(t, FSRead{}, env, `{"operations":[{"mode":"Image","image_paths":["fake.png"]}]}`)
	if !r.IsError || !strings.Contains(resultText(r), "not a valid") {
		t.Errorf("fake image: %+v", r)
	}
}

func TestFSReadBatch(t *testing.T) {
	env := testEnv(t)
	writeFile(t, filepath.Join(env.Cwd, "f.txt"), fourLines)
	writeFile(t, filepath.Join(env.Cwd, "gone.txt"), "x\n")
	writeFile(t, filepath.Join(env.Cwd, "a.png"), pngHeader)
	inv := prepare(t, FSRead{}, env, `{"summary":"look around","operations":[
		{"mode":"Line","path":"f.txt","start_line":1,"end_line":1},
		{"mode":"Line","path":"gone.txt"},
		{"mode":"Image","image_paths":["a.png"]}]}`)
	os.Remove(filepath.Join(env.Cwd, "gone.txt"))
	d := describe(inv, false)
	mustContain(t, d, "Batch fs_read operation with 3 operations:")
	mustContain(t, d, "Purpose: look around")
	mustContain(t, d, "↱ Operation 3: Reading images: a.png")
	r := inv.Run(t.Context(), nil)
	text := resultText(r)
	if r.IsError {
		t.Fatalf("batch failed: %s", text)
	}
	mustContain(t, text, "=== Operation 1 Result (Text) ===\nHello world!")
	mustContain(t, text, "=== Operation 2 Error ===\ngone.txt does not exist")
	mustContain(t, text, "=== Operation 3 Result (Images) ===\n[1 images processed]")
	if last := r.Content[len(r.Content)-1]; last.Type != model.ImageBlock {
		t.Errorf("last block = %+v, want the image", last)
	}
	if len(inv.Access().ReadPaths) != 3 {
		t.Errorf("ReadPaths = %v", inv.Access().ReadPaths)
	}
}
