package knowledge_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/knowledge"
	"github.com/qdev/qdev/internal/knowledge/index"
)

// tree writes files (path relative to root → content) below root.
func tree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// denyList is a Judge whose denied prefixes a test changes as it goes.
type denyList struct {
	mu       sync.Mutex
	prefixes []string
}

func (d *denyList) set(prefixes ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.prefixes = prefixes
}

func (d *denyList) judge(p string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, pre := range d.prefixes {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return errors.New("deniedPaths " + pre)
		}
	}
	return nil
}

// waitIdle waits until s runs no operation and returns those that ended.
func waitIdle(t testing.TB, s *knowledge.Store) []knowledge.Progress {
	t.Helper()
	deadline := time.Now().Add(300 * time.Second)
	for len(s.Operations()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("operations still running: %+v", s.Operations())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s.TakeFinished()
}

func mustBase(t *testing.T, s *knowledge.Store, name string) knowledge.Base {
	t.Helper()
	bases, err := s.Bases()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bases {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no base %s in %+v", name, bases)
	return knowledge.Base{}
}

func hitPaths(r knowledge.Results) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Rel)
	}
	return out
}

// generated builds a repository-like tree with every kind of file the
// walk must leave out, and returns its canonical root.
func generated(t *testing.T) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	files := map[string]string{
		".git/info/exclude":    "from-info.txt\n",
		".gitignore":           "# build output\nbuild/\n*.log\n!keep.log\n/anchored.txt\n",
		"from-info.txt":        "infotoken\n",
		"build/out.go":         "ignoredtoken\n",
		"app.log":              "logtoken\n",
		"keep.log":             "keeplogtoken\n",
		"anchored.txt":         "anchoredroot\n",
		"sub/anchored.txt":     "anchoredsub\n",
		"sub/.gitignore":       "local.txt\n",
		"sub/local.txt":        "sublocaltoken\n",
		"local.txt":            "rootlocaltoken\n",
		"src/.hidden/x.go":     "hiddentoken\n",
		"src/.env":             "envtoken\n",
		"secret/key.txt":       "secrettoken\n",
		"node_modules/p/i.js":  "moduletoken\n",
		"bin.dat":              "binarytoken\x00\x01\x02",
		"docs/guide.md":        "# Guide\n\nHow to handle authentication errors: call handleAuthError.\n",
		"outside-target/x.txt": "",
	}
	for i := range 200 {
		files[fmt.Sprintf("src/pkg%d/a%d.go", i%10, i)] = fmt.Sprintf("package pkg\n\n// alpha%d is file %d.\nfunc F%d() {}\n", i, i, i)
	}
	tree(t, root, files)
	tree(t, outside, map[string]string{"o.txt": "outsidetoken\n"})
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "docs", "guide.md"), filepath.Join(root, "guide-link.md")); err != nil {
		t.Fatal(err)
	}
	// A sparse file over the size limit is never read.
	if err := os.Truncate(filepath.Join(root, "big.txt"), knowledge.MaxFileBytes+1); err != nil {
		f, _ := os.Create(filepath.Join(root, "big.txt"))
		f.Close()
		if err := os.Truncate(filepath.Join(root, "big.txt"), knowledge.MaxFileBytes+1); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestIndexGeneratedTree(t *testing.T) {
	root := generated(t)
	deny := &denyList{}
	deny.set(filepath.Join(root, "secret"))
	dir := filepath.Join(t.TempDir(), "kb")
	s, err := knowledge.Open(dir, knowledge.Options{Backend: index.Local{}, Judge: deny.judge, Settings: knowledge.Settings{ChunkOverlap: -1, Exclude: []string{"node_modules/**"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, notes, err := s.Add("repo", root, knowledge.AddOptions{})
	if err != nil || len(notes) != 0 || b.State != knowledge.Indexing {
		t.Fatalf("add: %+v %v %v", b, notes, err)
	}
	ended := waitIdle(t, s)
	if len(ended) != 1 || ended[0].State != knowledge.Ready || ended[0].Name != "repo" {
		t.Fatalf("ended: %+v", ended)
	}
	b = mustBase(t, s, "repo")
	// 200 sources, the guide, keep.log, sub/anchored.txt, local.txt and
	// the empty outside-target/x.txt.
	if b.State != knowledge.Ready || b.Files != 205 || b.Items < 202 {
		t.Fatalf("base: %+v", b)
	}
	sk := b.Skipped
	if sk.Denied != 1 || sk.Binary != 1 || sk.TooLarge != 1 || sk.Symlinks != 2 || sk.Excluded != 1 ||
		sk.Ignored != 5 || sk.Hidden != 5 {
		t.Fatalf("skipped: %+v", sk)
	}

	for query, want := range map[string]string{
		"alpha17":         "src/pkg7/a17.go",
		"keeplogtoken":    "keep.log",
		"anchoredsub":     "sub/anchored.txt",
		"rootlocaltoken":  "local.txt",
		"handling errors": "docs/guide.md", // stemmed, and handleAuthError split
		"auth":            "docs/guide.md",
	} {
		r, err := s.Search(query, "", 0)
		if err != nil || len(r.Hits) == 0 || r.Hits[0].Rel != want {
			t.Errorf("search %q: %v %v, want %s first", query, hitPaths(r), err, want)
		}
	}
	for _, query := range []string{"infotoken", "ignoredtoken", "logtoken", "anchoredroot", "sublocaltoken", "hiddentoken",
		"envtoken", "secrettoken", "moduletoken", "binarytoken", "outsidetoken"} {
		r, err := s.Search(query, "repo", 0)
		if err != nil || len(r.Hits) != 0 || r.Withheld != 0 {
			t.Errorf("search %q found %v (withheld %d, err %v)", query, hitPaths(r), r.Withheld, err)
		}
	}
	h := mustSearch(t, s, "alpha3")
	if h.Path != filepath.Join(root, "src", "pkg3", "a3.go") || h.Start != 1 || h.End != 4 || !strings.Contains(h.Text, "alpha3 is file 3") {
		t.Fatalf("hit: %+v", h)
	}

	// The rules in force at search time decide, not those at index time.
	deny.set(filepath.Join(root, "src", "pkg3"))
	r, err := s.Search("alpha3", "", 0)
	if err != nil || len(r.Hits) != 0 || r.Withheld != 1 {
		t.Fatalf("denied after indexing: %v withheld %d %v", hitPaths(r), r.Withheld, err)
	}
	deny.set(filepath.Join(root, "secret"))

	// Persisted: another store on the same folder (a later session).
	if names := s.Close(); len(names) != 0 {
		t.Fatalf("close interrupted %v", names)
	}
	s2, err := knowledge.Open(dir, knowledge.Options{Backend: index.Local{}, Judge: deny.judge})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	mustSearch(t, s2, "alpha42")

	// An update sees new content and replaces the old index.
	tree(t, root, map[string]string{"docs/new.md": "zanzibartoken\n"})
	if _, err := s2.Update(root, ""); err != nil {
		t.Fatal(err)
	}
	if ended := waitIdle(t, s2); len(ended) != 1 || ended[0].State != knowledge.Ready || ended[0].Kind != "Updating" {
		t.Fatalf("update ended: %+v", ended)
	}
	if h := mustSearch(t, s2, "zanzibartoken"); h.Rel != "docs/new.md" {
		t.Fatalf("after update: %+v", h)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, b.ID)); len(entries) != 1 {
		t.Fatalf("old index left behind: %v", entries)
	}

	if gone, err := s2.Remove("repo"); err != nil || gone.ID != b.ID {
		t.Fatalf("remove: %+v %v", gone, err)
	}
	if _, err := os.Stat(filepath.Join(dir, b.ID)); !os.IsNotExist(err) {
		t.Fatalf("index folder left after remove: %v", err)
	}
	if _, err := s2.Search("alpha1", "", 0); err == nil {
		t.Fatal("search with no bases succeeded")
	}
}

func mustSearch(t *testing.T, s *knowledge.Store, query string) knowledge.Hit {
	t.Helper()
	r, err := s.Search(query, "", 0)
	if err != nil || len(r.Hits) == 0 {
		t.Fatalf("search %q: %+v %v", query, r, err)
	}
	return r.Hits[0]
}

func TestAddRefusesWhatMayNotBeRead(t *testing.T) {
	root := generated(t)
	deny := &denyList{}
	deny.set(filepath.Join(root, "secret"))
	s, err := knowledge.Open(t.TempDir(), knowledge.Options{Backend: index.Local{}, Judge: deny.judge})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		name, path string
		opts       knowledge.AddOptions
		want       string
	}{
		{"a", filepath.Join(root, "secret"), knowledge.AddOptions{}, "may not be read"},
		{"b", filepath.Join(root, "secret", "key.txt"), knowledge.AddOptions{}, "may not be read"},
		{"c", filepath.Join(root, "missing"), knowledge.AddOptions{}, "does not exist"},
		{"d", "relative/path", knowledge.AddOptions{}, "not an absolute path"},
		{"e", root, knowledge.AddOptions{Include: []string{"[abc"}}, `invalid include pattern "[abc"`},
		{"f", root, knowledge.AddOptions{IndexType: "Slow"}, "use Fast or Best"},
		{"", root, knowledge.AddOptions{}, "needs a name"},
	} {
		if _, _, err := s.Add(c.name, c.path, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("add %s %s: %v, want %q", c.name, c.path, err, c.want)
		}
	}
	// A link named by the user is resolved once: the base is where it points.
	if _, _, err := s.Add("via-link", filepath.Join(root, "link"), knowledge.AddOptions{IndexType: "best"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	b := mustBase(t, s, "via-link")
	if b.Path == filepath.Join(root, "link") || b.State != knowledge.Ready || b.IndexType != knowledge.Fast {
		t.Fatalf("base: %+v", b)
	}
	if _, _, err := s.Add("via-link", root, knowledge.AddOptions{}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("duplicate name: %v", err)
	}
	// Without a judge nothing is indexed.
	s2, err := knowledge.Open(t.TempDir(), knowledge.Options{Backend: index.Local{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, _, err := s2.Add("x", root, knowledge.AddOptions{}); err == nil {
		t.Fatal("added without a judge")
	}
}

func TestIncludePatternsAndMaxFiles(t *testing.T) {
	root := generated(t)
	deny := &denyList{}
	s, err := knowledge.Open(t.TempDir(), knowledge.Options{Backend: index.Local{}, Judge: deny.judge, Settings: knowledge.Settings{MaxFiles: 50, ChunkOverlap: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Add("md", root, knowledge.AddOptions{Include: []string{"*.md"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Add("all", root, knowledge.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	if b := mustBase(t, s, "md"); b.State != knowledge.Ready || b.Files != 1 {
		t.Fatalf("md: %+v", b)
	}
	b := mustBase(t, s, "all")
	if b.State != knowledge.Failed || !strings.Contains(b.Error, "more than 50 files (knowledge.maxFiles)") {
		t.Fatalf("all: %+v", b)
	}
	r, err := s.Search("alpha1", "", 0)
	if err != nil || len(r.Hits) != 0 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "all has no index") {
		t.Fatalf("search: %+v %v", r, err)
	}
}

func TestCloseInterruptsAndReopenTidies(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for i := range 3000 {
		files[fmt.Sprintf("d%d/f%d.txt", i%30, i)] = strings.Repeat(fmt.Sprintf("word%d ", i), 200)
	}
	tree(t, root, files)
	dir := t.TempDir()
	deny := &denyList{}
	s, err := knowledge.Open(dir, knowledge.Options{Backend: index.Local{}, Judge: deny.judge})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Add("big", root, knowledge.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if names := s.Close(); len(names) != 1 || names[0] != "big" {
		t.Fatalf("close: %v", names)
	}
	s2, err := knowledge.Open(dir, knowledge.Options{Backend: index.Local{}, Judge: deny.judge})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	b := mustBase(t, s2, "big")
	if b.State != knowledge.Interrupted || b.Building != "" {
		t.Fatalf("after close: %+v", b)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, b.ID)); len(entries) != 0 {
		t.Fatalf("partial build left: %v", entries)
	}
	if _, err := s2.Update("big", ""); err != nil {
		t.Fatal(err)
	}
	if n, err := s2.Cancel("big"); err != nil || len(n) != 1 {
		t.Fatalf("cancel: %v %v", n, err)
	}
	if ended := waitIdle(t, s2); len(ended) != 1 || (ended[0].State != knowledge.Cancelled && ended[0].State != knowledge.Ready) {
		t.Fatalf("cancelled: %+v", ended)
	}
	if _, err := s2.Cancel(""); err == nil {
		t.Fatal("cancel with nothing running succeeded")
	}
	if n, err := s2.Clear(); err != nil || n != 1 {
		t.Fatalf("clear: %d %v", n, err)
	}
}

func TestCorruptListIsReportedAndKept(t *testing.T) {
	dir := t.TempDir()
	bad := `{"bases":[{"id":"../../etc","name":"x","source_path":"/tmp","index":"../.."}]}`
	if err := os.WriteFile(filepath.Join(dir, "contexts.json"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := knowledge.Open(dir, knowledge.Options{Backend: index.Local{}}); err == nil || !strings.Contains(err.Error(), "bases[0]: id is not") {
		t.Fatalf("open: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "contexts.json"), []byte(`{"bases":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := knowledge.Open(dir, knowledge.Options{Backend: index.Local{}})
	if err == nil || !strings.Contains(err.Error(), "contexts.json:1:") {
		t.Fatalf("open: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "contexts.json")); string(data) != `{"bases":[` {
		t.Fatalf("file changed: %s", data)
	}
}

func TestScopeDir(t *testing.T) {
	def := knowledge.ScopeDir("/d", "q_cli_default", "")
	if def != "/d/knowledge_bases/q_cli_default" {
		t.Fatal(def)
	}
	a := knowledge.ScopeDir("/d", "my agent/../x", "/p/a.json")
	b := knowledge.ScopeDir("/d", "my agent/../x", "/q/a.json")
	if a == b || !strings.HasPrefix(a, "/d/knowledge_bases/my_agent____x_") || strings.Count(a, "/") != 3 {
		t.Fatalf("%s %s", a, b)
	}
}
