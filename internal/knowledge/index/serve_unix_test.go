//go:build unix

package index

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/qdev/qdev/internal/knowledge"
)

// serve runs one request and returns the replies.
func serve(t *testing.T, req string) []knowledge.Reply {
	t.Helper()
	var out bytes.Buffer
	if err := Serve(t.Context(), strings.NewReader(req), &out); err != nil {
		t.Fatal(err)
	}
	var replies []knowledge.Reply
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r knowledge.Reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("reply %q: %v", sc.Text(), err)
		}
		replies = append(replies, r)
	}
	if len(replies) == 0 || !replies[len(replies)-1].Final {
		t.Fatalf("no final reply: %+v", replies)
	}
	return replies
}

func fileOf(t *testing.T, root, rel, content string) knowledge.File {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return knowledge.File{Abs: p, Rel: rel, Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
}

func TestServeBuildsAndSearches(t *testing.T) {
	root := t.TempDir()
	good := fileOf(t, root, "a.md", "the quick zebra\n")
	bin := fileOf(t, root, "b.bin", "zebra\x00\x01")
	swapped := fileOf(t, root, "c.md", "zebra original\n")
	// Replaced after the walk judged it: another inode, not read.
	fileOf(t, root, "c.tmp", "zebra swapped in\n")
	if err := os.Rename(filepath.Join(root, "c.tmp"), swapped.Abs); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	req, _ := json.Marshal(knowledge.Request{Build: &knowledge.BuildRequest{Dir: dir,
		Files: []knowledge.File{good, bin, swapped}, ChunkSize: 10, ChunkOverlap: 2}})
	r := serve(t, string(req))
	last := r[len(r)-1]
	if last.Error != "" || last.Built == nil || *last.Built != (knowledge.Built{Files: 1, Items: 1, Binary: 1, Unreadable: 1}) {
		t.Fatalf("build: %+v %+v", last, last.Built)
	}
	req, _ = json.Marshal(knowledge.Request{Search: &knowledge.SearchRequest{Dirs: []string{dir}, Query: "zebra", Size: 5}})
	r = serve(t, string(req))
	hits := r[len(r)-1].Hits
	if len(hits) != 1 || hits[0].Rel != "a.md" || hits[0].Text != "the quick zebra" || hits[0].Start != 1 {
		t.Fatalf("search: %+v", r)
	}
	for _, bad := range []string{`not json`, `{}`, `{"search":{"dirs":["/nonexistent"],"query":"x","size":1}}`,
		`{"build":{"dir":"` + filepath.Join(t.TempDir(), "i") + `","chunk_size":5,"chunk_overlap":5}}`} {
		if r := serve(t, bad); r[len(r)-1].Error == "" {
			t.Errorf("%s: no error: %+v", bad, r)
		}
	}
}
