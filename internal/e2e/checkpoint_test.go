package e2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckpointsRecordDiffRestoreAndUndo: with chat.enableCheckpoint on,
// each turn that changes files records a checkpoint; /checkpoint restore 0
// brings back the files of the start exactly (a created file deleted, a
// deleted one back, a changed one as it was) and is itself undone by the
// restore it names; the user's own repository is never touched and the
// restore is on the audit trail.
func TestCheckpointsRecordDiffRestoreAndUndo(t *testing.T) {
	e := newEnv(t)
	if r := e.run("", "settings", "chat.enableCheckpoint", "true"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	if out, err := exec.Command("git", "init", "-q", e.cwd).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	e.write("keep.txt", "original\n")
	e.write("gone.txt", "to be deleted\n")
	userGit := dirState(t, filepath.Join(e.cwd, ".git"))
	s := e.openai(
		toolTurn(tc("c1", "fs_write", `{"command":"create","path":"new.txt","file_text":"brand new\n"}`)),
		text("created"),
		toolTurn(tc("c2", "fs_write", `{"command":"create","path":"keep.txt","file_text":"changed\n"}`),
			tc("c3", "execute_bash", `{"command":"rm gone.txt"}`)),
		text("changed"),
	)
	term := e.startPTY("chat", "--model", "openai/m", "--trust-all-tools")
	term.expect("Checkpoints are on")
	term.expect("> ")
	term.send("create a file\r")
	term.expect("Checkpoint 1: 1 added")
	term.expect("> ")
	term.send("change things\r")
	term.expect("Checkpoint 2: 0 added, 1 modified, 1 deleted")
	term.expect("> ")
	term.send("/checkpoint list\r")
	term.expect("[0]")
	term.expect("[2]")
	term.expect("change things [fs_write, execute_bash]")
	term.send("/checkpoint diff 0\r")
	term.expect("-original")
	term.expect("+changed")
	term.send("/checkpoint restore 0\r")
	term.expect("Restored checkpoint 0: 2 file(s) written, 1 deleted. /checkpoint restore 2 undoes this.")
	term.expect("> ")
	want := map[string]string{"keep.txt": "original\n", "gone.txt": "to be deleted\n"}
	if got := files(t, e.cwd); !maps(got, want) {
		t.Fatalf("after restore 0: %v", got)
	}
	term.send("/checkpoint restore 2\r")
	term.expect("Restored checkpoint 2")
	term.expect("> ")
	want = map[string]string{"keep.txt": "changed\n", "new.txt": "brand new\n"}
	if got := files(t, e.cwd); !maps(got, want) {
		t.Fatalf("after undoing the restore: %v", got)
	}
	term.send("/checkpoint restore x\r")
	term.expect(`"x" is not a checkpoint number`)
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if d := dirState(t, filepath.Join(e.cwd, ".git")); d != userGit {
		t.Fatal("the user's .git changed")
	}
	r := e.run("", "audit", "lookup", "--format", "json")
	if r.code != 0 || strings.Count(r.stdout, `"EventName": "RestoreCheckpoint"`) != 4 {
		t.Fatalf("audit lookup: want an intent and an outcome per restore: %+v", r)
	}
	if r := e.run("", "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %+v", r)
	}
	noViolations(t, s)
}

// files reads the regular files of dir, outside .git, by relative path.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// dirState describes every entry under dir with its content.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		line := p
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += "=" + string(b)
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
