package checkpoint

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var ctx = context.Background()

func TestRecordListDiffRestore(t *testing.T) {
	s := newStore(t)
	s.put(t, "a.txt", "one\n")
	s.put(t, "dir/b.txt", "bee\n")
	c0 := s.mustRecord(t, "start")
	if c0.N != 0 || c0.Kind != KindInitial || c0.Added != 2 {
		t.Fatalf("first checkpoint = %+v", c0)
	}
	before := tree(t, s.Workspace)

	if c, made, err := s.Record(ctx, Checkpoint{Kind: KindTurn, Label: "nothing"}); err != nil || made || c.N != 0 {
		t.Fatalf("unchanged workspace made a checkpoint: %+v %v %v", c, made, err)
	}

	s.put(t, "a.txt", "two\n")
	s.put(t, "new/c.txt", "sea\n")
	if err := os.Remove(filepath.Join(s.Workspace, "dir/b.txt")); err != nil {
		t.Fatal(err)
	}
	c1 := s.mustRecord(t, "edit\nsecond line")
	if c1.N != 1 || c1.Added != 1 || c1.Modified != 1 || c1.Deleted != 1 || c1.Label != "edit …" {
		t.Fatalf("second checkpoint = %+v", c1)
	}
	after := tree(t, s.Workspace)

	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].N != 0 || list[1].N != 1 || list[1].Label != "edit …" {
		t.Fatalf("List = %+v, %v", list, err)
	}

	d, err := s.Diff(ctx, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-one", "+two", "new/c.txt", "dir/b.txt", "3 files changed"} {
		if !strings.Contains(d, want) {
			t.Fatalf("diff lacks %q:\n%s", want, d)
		}
	}
	s.put(t, "a.txt", "three\n")
	if d, err = s.Diff(ctx, 1, Current); err != nil || !strings.Contains(d, "+three") {
		t.Fatalf("diff against the workspace: %v\n%s", err, d)
	}
	s.put(t, "a.txt", "two\n")

	r, err := s.Restore(ctx, 0, "conv")
	if err != nil {
		t.Fatal(err)
	}
	if got := diffTrees(before, tree(t, s.Workspace)); got != "" {
		t.Fatalf("after restore 0: %s", got)
	}
	if r.Undo.N != 1 || len(r.Deleted) != 1 || len(r.Written) != 2 {
		t.Fatalf("restore = %+v", r)
	}
	// The restore is undone by restoring its undo point.
	if _, err := s.Restore(ctx, r.Undo.N, "conv"); err != nil {
		t.Fatal(err)
	}
	if got := diffTrees(after, tree(t, s.Workspace)); got != "" {
		t.Fatalf("after undo: %s", got)
	}
	if _, err := s.Restore(ctx, 99, "conv"); err == nil || !strings.Contains(err.Error(), "no checkpoint 99") {
		t.Fatalf("restore of a missing checkpoint: %v", err)
	}
}

// TestUsersRepositoryIsUntouched: a workspace that is a git repository
// with a nested one keeps both .git directories byte for byte, and the
// nested repository's files are recorded too.
func TestUsersRepositoryIsUntouched(t *testing.T) {
	s := newStore(t)
	for _, dir := range []string{s.Workspace, filepath.Join(s.Workspace, "nested")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
			t.Fatalf("git init: %v %s", err, out)
		}
	}
	s.put(t, "top.txt", "top\n")
	s.put(t, "nested/inner.txt", "inner\n")
	s.put(t, "nested/.gitignore", "*.tmp\n")
	s.put(t, "nested/x.tmp", "ignored\n")
	gitDirs := func() string {
		var lines []string
		for k, v := range tree(t, s.Workspace) {
			if strings.HasPrefix(k, ".git/") || strings.HasPrefix(k, "nested/.git/") {
				lines = append(lines, k+"="+v)
			}
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	beforeGit := gitDirs()
	s.mustRecord(t, "one")
	s.put(t, "nested/inner.txt", "changed\n")
	s.put(t, "nested/x.tmp", "still ignored\n")
	s.mustRecord(t, "two")
	if _, err := s.Restore(ctx, 0, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(s.Workspace, "nested/inner.txt")); string(b) != "inner\n" {
		t.Fatalf("nested file not restored: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(s.Workspace, "nested/x.tmp")); string(b) != "still ignored\n" {
		t.Fatalf("ignored file touched: %q", b)
	}
	if gitDirs() != beforeGit {
		t.Fatal("a .git directory of the workspace changed")
	}
	if _, err := os.Stat(filepath.Join(s.Workspace, ".git", "refs", "qdev")); !os.IsNotExist(err) {
		t.Fatal("the store wrote into the user's repository")
	}
}

// TestHostileWorkspace: .gitattributes cannot make git convert or filter
// files, a symbolic link to a directory outside is recorded as a link and
// never written through, and a large file is neither recorded nor deleted.
func TestHostileWorkspace(t *testing.T) {
	s := newStore(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.put(t, ".gitattributes", "* text eol=crlf filter=evil diff=evil\n")
	s.put(t, "crlf.txt", "a\nb\n")
	s.put(t, "bin.dat", "\x00\x01\xff\xfe binary")
	s.put(t, "sub/f.txt", "f\n")
	if err := os.Symlink(outside, filepath.Join(s.Workspace, "out")); err != nil {
		t.Fatal(err)
	}
	s.MaxFileBytes = 100
	s.mustRecord(t, "zero")
	before := tree(t, s.Workspace)

	s.put(t, "crlf.txt", "changed\n")
	s.put(t, "bin.dat", "\x00other")
	s.put(t, "big.bin", strings.Repeat("x", 200))
	// The link is replaced by a directory, and the directory sub by a link
	// to the outside.
	if err := os.Remove(filepath.Join(s.Workspace, "out")); err != nil {
		t.Fatal(err)
	}
	s.put(t, "out/mine.txt", "mine\n")
	if err := os.RemoveAll(filepath.Join(s.Workspace, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(s.Workspace, "sub")); err != nil {
		t.Fatal(err)
	}
	c := s.mustRecord(t, "one")
	if !slices.Equal(c.Skipped, []string{"big.bin"}) {
		t.Fatalf("skipped = %v", c.Skipped)
	}
	if _, err := s.Restore(ctx, 0, ""); err != nil {
		t.Fatal(err)
	}
	got := tree(t, s.Workspace)
	if b := got["big.bin"]; b == "" {
		t.Fatal("a file too large to record was deleted")
	}
	delete(got, "big.bin")
	if d := diffTrees(before, got); d != "" {
		t.Fatalf("after restore: %s", d)
	}
	if d := diffTrees(map[string]string{"secret": "-rw-r--r-- keep\n"}, tree(t, outside)); d != "" {
		t.Fatalf("outside the workspace: %s", d)
	}
}

// TestIgnoredFilesStay: files the .gitignore files ignore are neither
// recorded nor deleted, also when the ignore rules changed after the
// checkpoint.
func TestIgnoredFilesStay(t *testing.T) {
	s := newStore(t)
	s.put(t, ".gitignore", "build/\n")
	s.put(t, "src.go", "package x\n")
	s.put(t, "build/out", "artefact\n")
	s.mustRecord(t, "zero")
	s.put(t, ".gitignore", "")
	s.put(t, "build/out2", "new artefact\n")
	s.mustRecord(t, "one")
	r, err := s.Restore(ctx, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"build/out", "build/out2"} {
		if _, err := os.Stat(filepath.Join(s.Workspace, p)); err != nil {
			t.Fatalf("%s removed: %v (restore %+v)", p, err, r)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(s.Workspace, ".gitignore")); string(b) != "build/\n" {
		t.Fatalf(".gitignore = %q", b)
	}
}

func TestOpenRefusesHomeAndNeedsGit(t *testing.T) {
	home := t.TempDir()
	if _, err := Open(ctx, t.TempDir(), home, home); err == nil || !strings.Contains(err.Error(), "project directory") {
		t.Fatalf("home: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := Open(ctx, t.TempDir(), t.TempDir(), home); err != ErrNoGit {
		t.Fatalf("without git: %v", err)
	}
}

func TestTooManyFiles(t *testing.T) {
	s := newStore(t)
	s.MaxFiles = 2
	for _, f := range []string{"a", "b", "c"} {
		s.put(t, f, f)
	}
	if _, _, err := s.Record(ctx, Checkpoint{}); err == nil || !strings.Contains(err.Error(), "too many files") {
		t.Fatalf("err = %v", err)
	}
}

func TestCleanForgetsEverything(t *testing.T) {
	s := newStore(t)
	s.put(t, "a", "a")
	s.mustRecord(t, "x")
	if err := s.Clean(); err != nil {
		t.Fatal(err)
	}
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Fatalf("after clean: %v %v", list, err)
	}
	if c := s.mustRecord(t, "again"); c.N != 0 {
		t.Fatalf("numbering after clean starts at %d", c.N)
	}
}

// TestSeparateStoresPerWorkspace: two workspaces never share checkpoints,
// and the store lives under the data directory, not the workspace.
func TestSeparateStoresPerWorkspace(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, d := range []string{a, b} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sa, err := Open(ctx, data, a, root)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Open(ctx, data, b, root)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Dir == sb.Dir || !strings.HasPrefix(sa.Dir, data) {
		t.Fatalf("stores %s and %s", sa.Dir, sb.Dir)
	}
	sa.put(t, "f", "x")
	sa.mustRecord(t, "a")
	if list, _ := sb.List(ctx); len(list) != 0 {
		t.Fatalf("b sees a's checkpoints: %v", list)
	}
	if entries, _ := os.ReadDir(a); len(entries) != 1 {
		t.Fatalf("the workspace holds %d entries, want only f", len(entries))
	}
}
