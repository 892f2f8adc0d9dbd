package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// terminal is q running on a pseudo-terminal.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int // bytes of buf already matched by expect
	done chan struct{}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[a-zA-Z]`)

func (e *env) startPTY(args ...string) *terminal {
	e.t.Helper()
	cmd := exec.Command(qBin, args...)
	cmd.Dir = e.cwd
	cmd.Env = append(e.environ(), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		e.t.Fatal(err)
	}
	term := &terminal{t: e.t, cmd: cmd, pty: f, done: make(chan struct{})}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			term.mu.Lock()
			term.buf.Write(b[:n])
			term.mu.Unlock()
			if err != nil {
				close(term.done)
				return
			}
		}
	}()
	e.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		f.Close()
	})
	return term
}

// expect waits until want appears in output not matched before.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		term.mu.Lock()
		rest := ansi.ReplaceAllString(term.buf.String()[term.seen:], "")
		if i := strings.Index(rest, want); i >= 0 {
			// Advance past the match in the raw buffer by locating it again there.
			raw := term.buf.String()[term.seen:]
			if j := strings.Index(raw, want); j >= 0 {
				term.seen += j + len(want)
			} else {
				term.seen = term.buf.Len()
			}
			term.mu.Unlock()
			return
		}
		term.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	term.t.Fatalf("did not see %q; screen so far:\n%s", want, ansi.ReplaceAllString(term.buf.String(), ""))
}

func (term *terminal) send(s string) {
	term.t.Helper()
	if _, err := io.WriteString(term.pty, s); err != nil {
		term.t.Fatal(err)
	}
}

func (term *terminal) waitExit() int {
	term.t.Helper()
	select {
	case <-term.done:
	case <-time.After(20 * time.Second):
		term.t.Fatal("q did not exit")
	}
	st, _ := term.cmd.Process.Wait()
	if st == nil {
		return term.cmd.ProcessState.ExitCode()
	}
	return st.ExitCode()
}

func TestInteractiveApprovalToolsUsageAndShell(t *testing.T) {
	e := newEnv(t)
	write := tc("c1", "fs_write", `{"command":"create","path":"a.txt","file_text":"one\n"}`)
	write2 := tc("c2", "fs_write", `{"command":"create","path":"b.txt","file_text":"two\n"}`)
	write3 := tc("c3", "fs_write", `{"command":"create","path":"c.txt","file_text":"three\n"}`)
	s := e.openai(toolTurn(write), text("wrote a"), toolTurn(write2), text("refused b"),
		toolTurn(write3), text("wrote c"))
	term := e.startPTY("chat", "--model", "openai/m")
	term.expect("> ")
	term.send("write a\r")
	term.expect("Allow this action?")
	term.send("y\r")
	term.expect("wrote a")
	term.expect("> ")
	term.send("write b\r")
	term.expect("Allow this action?")
	term.send("n\r")
	term.expect("refused b")
	term.send("/tools trust fs_write\r")
	term.expect("trusted for this session")
	term.send("write c\r")
	term.expect("trusted")
	term.expect("wrote c")
	term.send("/tools\r")
	term.expect("fs_write")
	term.send("/usage\r")
	term.expect("Context window")
	term.expect("frees space.")
	term.expect("> ")
	term.send("!echo shell-$((6*7))\r")
	term.expect("shell-42")
	term.expect("> ")
	term.send("!echo ready-$((40+2)); read x; echo \"[$x]\"\r")
	term.expect("ready-42")
	term.send("typed\r")
	term.expect("[typed]")
	// Keys typed while a !command owns the terminal are in the user's own
	// mode, where Enter arrives as Ctrl-J: wait until q has it back.
	term.expect("> ")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for name, want := range map[string]string{"a.txt": "one\n", "c.txt": "three\n"} {
		if b, err := os.ReadFile(filepath.Join(e.cwd, name)); err != nil || string(b) != want {
			t.Fatalf("%s = %q, %v", name, b, err)
		}
	}
	if _, err := os.Stat(filepath.Join(e.cwd, "b.txt")); !os.IsNotExist(err) {
		t.Fatal("b.txt written although denied")
	}
	if n := len(s.Requests()); n != 6 {
		t.Fatalf("%d model requests, want 6 (the ! command must not reach the model)", n)
	}
	noViolations(t, s)
}

func TestCtrlCCancelsTurnAndToolThenExits(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(e.cwd, "grandchild-alive")
	slow := tc("c1", "execute_bash", `{"command":"(sleep 30; touch `+marker+`) & sleep 30"}`)
	s := e.openai(
		TurnHang("thinking hard"),
		toolTurn(slow),
		text("still here"),
	)
	term := e.startPTY("chat", "--model", "openai/m", "--trust-all-tools")
	term.expect("> ")
	term.send("first\r")
	term.expect("thinking hard")
	term.send("\x03")
	term.expect("(interrupted)")
	term.send("second\r")
	term.expect("Using tool")
	if !waitRunning("sleep 30; touch "+marker, 10*time.Second) {
		t.Fatal("the tool's command never started")
	}
	term.send("\x03")
	term.expect("interrupted")
	term.send("third\r")
	term.expect("still here")
	term.expect("> ")
	term.send("\x03")
	term.expect("Ctrl-C again")
	term.send("\x03")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// The interrupted requests still form a valid conversation.
	msgs := s.Requests()[len(s.Requests())-1].Messages
	if len(msgs) < 5 {
		t.Fatalf("history lost: %d messages", len(msgs))
	}
	noViolations(t, s)
	// The whole process group of the tool was killed.
	if out, _ := exec.Command("pgrep", "-f", marker).Output(); len(out) > 0 {
		t.Fatalf("tool's children still running: %s", out)
	}
}

func TestEditorComposesPrompt(t *testing.T) {
	e := newEnv(t)
	editor := filepath.Join(e.home, "fake-editor")
	// The fake editor records its argument and appends to the file.
	script := "#!/bin/sh\nfor a; do f=\"$a\"; done\necho \"$f\" > " + filepath.Join(e.home, "edited-path") + "\nprintf ' and more' >> \"$f\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e.vars["EDITOR"] = editor + " --wait"
	s := e.openai(text("got it"))
	term := e.startPTY("chat", "--model", "openai/m")
	term.expect("> ")
	term.send("/editor Explain this\r")
	term.expect("got it")
	term.send("/quit\r")
	term.waitExit()
	if got := s.Requests()[0].Messages[0].Text(); got != "Explain this and more" {
		t.Fatalf("prompt = %q", got)
	}
	path, _ := os.ReadFile(filepath.Join(e.home, "edited-path"))
	p := strings.TrimSpace(string(path))
	if !strings.HasSuffix(p, ".md") {
		t.Fatalf("temp file %q is not .md", p)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("temp file %s not deleted", p)
	}
}

func TestSIGTERMEndsAnInteractiveSessionAndItsTools(t *testing.T) {
	e := newEnv(t)
	marker := filepath.Join(e.cwd, "survived")
	e.openai(toolTurn(tc("c1", "execute_bash", `{"command":"sleep 30; touch `+marker+`"}`)), text("never"))
	term := e.startPTY("chat", "--model", "openai/m", "--trust-all-tools")
	term.expect("> ")
	term.send("run it\r")
	term.expect("Using tool")
	if !waitRunning("sleep 30; touch "+marker, 10*time.Second) {
		t.Fatal("the tool's command never started")
	}
	_ = term.cmd.Process.Signal(syscall.SIGTERM)
	if code := term.waitExit(); code != 143 {
		t.Fatalf("exit %d, want 143", code)
	}
	if out := waitGone("sleep 30; touch "+marker, 5*time.Second); len(out) > 0 {
		t.Fatalf("the tool outlived q: %s", out)
	}
	term.expectSaneMode()
}

// TestSIGTERMAtThePromptRestoresTheTerminal: the editor's read does not
// return on a signal, so q exits on its own, and must not leave the
// terminal raw.
func TestSIGTERMAtThePromptRestoresTheTerminal(t *testing.T) {
	e := newEnv(t)
	e.openai()
	term := e.startPTY("chat", "--model", "openai/m")
	term.expect("> ")
	_ = term.cmd.Process.Signal(syscall.SIGTERM)
	if code := term.waitExit(); code != 143 {
		t.Fatalf("exit %d, want 143", code)
	}
	term.expectSaneMode()
}

// expectSaneMode checks that the terminal q ran on is back in the mode it
// started in: line editing, echo, Enter read as newline.
func (term *terminal) expectSaneMode() {
	term.t.Helper()
	n, err := unix.IoctlGetUint32(int(term.pty.Fd()), unix.TIOCGPTN)
	if err != nil {
		term.t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		term.t.Fatal(err)
	}
	defer tty.Close()
	mode, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		term.t.Fatal(err)
	}
	if mode.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG) != unix.ICANON|unix.ECHO|unix.ISIG || mode.Iflag&unix.ICRNL == 0 || mode.Cc[unix.VEOL] != 0 {
		term.t.Fatalf("terminal left in another mode: lflag %#o iflag %#o VEOL %d", mode.Lflag, mode.Iflag, mode.Cc[unix.VEOL])
	}
}

// TestTypeAheadIsSubmitted: lines typed while an answer streams, or while a
// slash command runs, are submitted afterwards by their own Enter, which
// must not arrive as Ctrl-J and become a line break.
func TestTypeAheadIsSubmitted(t *testing.T) {
	e := newEnv(t)
	slow := text("first part, ", "the end")
	slow.Delay = 1500 * time.Millisecond
	summary := text("a summary")
	summary.Delay = 1500 * time.Millisecond
	s := e.openai(slow, text("second answer"), summary, text("third answer"))
	term := e.startPTY("chat", "--model", "openai/m")
	term.expect("> ")
	term.send("go\r")
	term.expect("first part")
	term.send("/tools\rsecond prompt\r")
	term.expect("the end")
	term.expect("fs_write")
	term.expect("second answer")
	term.expect("> ")
	term.send("/compact\r")
	deadline := time.Now().Add(20 * time.Second)
	for len(s.Requests()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	term.send("third prompt\r")
	term.expect("Conversation compacted")
	term.expect("third answer")
	term.expect("> ")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	reqs := s.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d model requests, want 4", len(reqs))
	}
	for i, want := range map[int]string{1: "second prompt", 3: "third prompt"} {
		msgs := reqs[i].Messages
		if got := msgs[len(msgs)-1].Text(); got != want {
			t.Fatalf("request %d: typed-ahead prompt arrived as %q", i, got)
		}
	}
}

// TestAnswersFollowATerminalResize: --wrap auto wraps each answer at the
// width the terminal has when the answer starts.
func TestAnswersFollowATerminalResize(t *testing.T) {
	e := newEnv(t)
	const answer = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"
	e.openai(text(answer), text(answer))
	term := e.startPTY("chat", "--model", "openai/m")
	term.expect("> ")
	term.send("wide\r")
	term.expect(answer)
	term.expect("> ")
	if err := pty.Setsize(term.pty, &pty.Winsize{Rows: 40, Cols: 34}); err != nil {
		t.Fatal(err)
	}
	term.send("narrow\r")
	term.expect("alpha beta gamma delta epsilon\r\nzeta eta theta iota kappa lambda")
	term.expect("> ")
	term.send("/quit\r")
	if code := term.waitExit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
