package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTranslate: without a terminal the proposed commands are printed;
// on a terminal the chosen one runs as execute_bash would, so the
// organisation's deniedCommands refuse it; every run is on the audit
// trail.
func TestTranslate(t *testing.T) {
	e := newEnv(t)
	if r := e.run("", "settings", "chat.defaultModel", "openai/m"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	e.vars["Q_MANAGED_SETTINGS"] = e.write("../managed.json", `{"deniedCommands": ["rm -rf *"]}`)
	e.write("build/artefact", "keep me\n")
	s := e.openai(
		text(`{"commands":[{"command":"ls -1","explanation":"One per line."},{"command":"ls -la"},{"command":"find ."}]}`),
		text("```sh\nrm -rf build\n```"),
		text(`{"commands":[{"command":"echo translated-$((6*7)) > out.txt; cat out.txt; exit 3"}]}`),
	)

	if r := e.run("", "translate", "-n", "6", "list files"); r.code != 2 || !strings.Contains(r.stderr, "-n 6") {
		t.Fatalf("-n 6 accepted: %+v", r)
	}
	r := e.run("", "translate", "-n", "2", "list", "files")
	if r.code != 0 || r.stdout != "ls -1\nls -la\n" {
		t.Fatalf("without a terminal: %+v", r)
	}

	term := e.startPTY("translate", "clean the build")
	term.expect("1. rm -rf build")
	term.expect("[r]un")
	term.send("r\r")
	term.expect("not run")
	term.expect("deniedCommands")
	if code := term.waitExit(); code != 1 {
		t.Fatalf("denied command: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(e.cwd, "build", "artefact")); err != nil {
		t.Fatal("the denied command ran")
	}

	term = e.startPTY("translate", "write the answer")
	term.expect("[r]un")
	term.send("e\r")
	term.expect("$ echo translated")
	term.send(" # checked\r")
	term.expect("exit 3 # checked")
	term.send("r\r")
	term.expect("translated-42")
	if code := term.waitExit(); code != 3 {
		t.Fatalf("the command's exit status is not q's: %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(e.cwd, "out.txt")); string(b) != "translated-42\n" {
		t.Fatalf("out.txt = %q", b)
	}

	r = e.run("", "audit", "lookup", "--format", "json")
	for _, want := range []string{`\"decision\":\"deny\"`, `rm -rf build`, `\"summary\":\"q translate: write the answer\"`,
		`\"phase\":\"outcome\"`, `\"exitStatus\":3`} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("audit lacks %s: %s", want, r.stdout)
		}
	}
	if r := e.run("", "audit", "verify"); r.code != 0 {
		t.Fatalf("audit verify: %+v", r)
	}
	if len(s.Requests()) != 3 {
		t.Fatalf("%d model requests, want 3", len(s.Requests()))
	}
	noViolations(t, s)
}
