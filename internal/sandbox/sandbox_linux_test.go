//go:build linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as the helper: started with HelperArg it runs
// RunHelper, and with actionEnv set it is a small program the tests run
// inside the sandbox.
const actionEnv = "QDEV_SANDBOX_TEST_ACTION"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == HelperArg {
		os.Exit(RunHelper(os.Args[2:]))
	}
	if act := os.Getenv(actionEnv); act != "" {
		os.Exit(testAction(act, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// testAction is the program run inside the sandbox. Each verb tries one
// thing and exits 0 when it worked, 3 when it did not (printing why).
func testAction(verb string, args []string) int {
	var err error
	switch verb {
	case "tcp":
		d := net.Dialer{}
		d.SetMultipathTCP(false) // Landlock restricts classic TCP only
		var c net.Conn
		if c, err = d.DialContext(context.Background(), "tcp", args[0]); err == nil {
			c.Close()
		}
	case "udp":
		var c net.Conn
		if c, err = net.Dial("udp", args[0]); err == nil {
			_, err = c.Write([]byte("ping"))
			c.Close()
		}
	case "unix":
		var c net.Conn
		if c, err = net.Dial("unix", args[0]); err == nil {
			c.Close()
		}
	case "kill":
		pid, _ := strconv.Atoi(args[0])
		err = syscall.Kill(pid, syscall.SIGTERM)
	case "write":
		// One line per path: "ok" or the error, so one sandboxed run
		// checks many paths.
		for _, p := range args {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err == nil {
				_, err = f.WriteString("w")
				f.Close()
			}
			if err == nil {
				fmt.Println("ok")
			} else {
				fmt.Println("denied")
			}
		}
		return 0
	case "info":
		wd, _ := os.Getwd()
		fmt.Printf("dir=%s var=%s\n", wd, os.Getenv("SANDBOX_VAR"))
		return 0
	default:
		return 2
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

// self is the test binary.
func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// needABI skips the test when the kernel's Landlock ABI is below min.
func needABI(t *testing.T, min int, what string) int {
	t.Helper()
	abi, err := Probe()
	if abi < min {
		t.Skipf("%s needs Landlock ABI %d; this kernel has ABI %d (%v)", what, min, abi, err)
	}
	return abi
}

// needNamespaces skips the test where unprivileged user namespaces are
// unavailable (the Landlock-only fallback has its own tests).
func needNamespaces(t *testing.T) {
	t.Helper()
	needABI(t, 1, "the sandbox")
	if !namespacesWork(self(t)) {
		t.Skip("user namespaces are unavailable here")
	}
}

// layout makes a workspace, a temporary directory (set as $TMPDIR) and an
// outside directory, all below t.TempDir.
func layout(t *testing.T) (ws, tmp, outside string) {
	t.Helper()
	root := t.TempDir()
	ws, tmp, outside = filepath.Join(root, "ws"), filepath.Join(root, "tmp"), filepath.Join(root, "outside")
	for _, d := range []string{ws, tmp, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TMPDIR", tmp)
	return ws, tmp, outside
}

// run runs name args in dir, sandboxed by p (through the test binary as
// helper) unless p is nil, and returns its combined output and error. A
// sandbox this system cannot fully enforce is logged, not fatal: tests
// that need all of it skip first (needNamespaces).
func run(t *testing.T, p *Policy, dir string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if p != nil {
		q := *p
		q.Helper = self(t)
		wrapped, err := Wrap(cmd, q)
		if wrapped == nil || (err != nil && !errors.Is(err, ErrUnavailable)) {
			t.Fatalf("Wrap: %v", err)
		}
		if err != nil {
			t.Logf("Wrap: %v", err)
		}
		cmd = wrapped
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// act runs testAction verb args inside the sandbox p.
func act(t *testing.T, p Policy, dir, verb string, args ...string) (string, error) {
	t.Helper()
	t.Setenv(actionEnv, verb)
	return run(t, &p, dir, self(t), args...)
}

func TestProbe(t *testing.T) {
	abi, err := Probe()
	if (abi == 0) != (err != nil) {
		t.Fatalf("Probe() = %d, %v: an error must come exactly with ABI 0", abi, err)
	}
	t.Logf("Landlock ABI %d (%v), namespaces %v", abi, err, namespacesWork(self(t)))
}

func TestWritesConfinedToWorkspaceAndTemp(t *testing.T) {
	needABI(t, 1, "the write sandbox")
	ws, tmp, outside := layout(t)
	p := &Policy{WritablePaths: WorkspaceWritable(ws)}

	for _, target := range []string{filepath.Join(ws, "x"), filepath.Join(tmp, "x")} {
		if out, err := run(t, p, ws, "touch", target); err != nil {
			t.Errorf("sandboxed touch %s: %v: %s", target, err, out)
		}
	}
	blocked := filepath.Join(outside, "x")
	out, err := run(t, p, ws, "touch", blocked)
	if err == nil {
		t.Errorf("sandboxed touch outside the workspace succeeded: %q", out)
	}
	if _, serr := os.Stat(blocked); serr == nil {
		t.Error("the file outside the workspace was created")
	}
	if out, err := run(t, nil, ws, "touch", blocked); err != nil {
		t.Errorf("unsandboxed touch outside the workspace: %v: %s", err, out)
	}

	// Redirections to /dev/null and moves between workspace directories
	// keep working.
	script := "echo hi >/dev/null && mkdir -p a b && echo x >a/f && mv a/f b/f && cat b/f"
	if out, err := run(t, p, ws, "/bin/sh", "-c", script); err != nil || out != "x\n" {
		t.Errorf("sandboxed script: %v: %q", err, out)
	}
	// Read-only mode: nothing writable.
	if out, err := run(t, &Policy{}, ws, "touch", filepath.Join(ws, "y")); err == nil {
		t.Errorf("read-only sandbox let touch write the workspace: %q", out)
	}
}

func TestMetadataOutsideWritable(t *testing.T) {
	needNamespaces(t)
	ws, _, outside := layout(t)
	f := filepath.Join(outside, "f")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Policy{WritablePaths: []string{ws}, Network: true}
	for _, script := range []string{"chmod 777 " + f, "touch -d 2000-01-01 " + f} {
		if out, err := run(t, p, ws, "/bin/sh", "-c", script); err == nil {
			t.Errorf("%s succeeded in the sandbox: %q", script, out)
		}
	}
	if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o644 || fi.ModTime().Year() == 2000 {
		t.Errorf("metadata of %s changed: %v %v", f, fi.Mode(), fi.ModTime())
	}
	if out, err := run(t, p, ws, "/bin/sh", "-c", "touch a && chmod 600 a"); err != nil {
		t.Errorf("chmod in the workspace: %v: %s", err, out)
	}
}

func TestKeepsProcessSetup(t *testing.T) {
	needABI(t, 1, "the sandbox")
	ws, _, _ := layout(t)
	t.Setenv("SANDBOX_VAR", "kept")
	out, err := act(t, Policy{WritablePaths: []string{ws}}, ws, "info")
	if want := "dir=" + ws + " var=kept\n"; err != nil || out != want {
		t.Errorf("sandboxed process reported %q (%v), want %q", out, err, want)
	}
}

func TestExitStatus(t *testing.T) {
	needABI(t, 1, "the sandbox")
	ws, _, _ := layout(t)
	p := &Policy{WritablePaths: []string{ws}}
	_, err := run(t, p, ws, "/bin/sh", "-c", "exit 3")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("exit 3 under the sandbox gave %v", err)
	}
	_, err = run(t, p, ws, "/bin/sh", "-c", "kill -TERM $$")
	if !errors.As(err, &ee) || (ee.ExitCode() != 128+15 && !strings.Contains(err.Error(), "terminated")) {
		t.Errorf("a command killed by SIGTERM gave %v", err)
	}
	cmd := &exec.Cmd{Path: filepath.Join(ws, "missing"), Args: []string{"missing"}}
	cmd, _ = Wrap(cmd, Policy{WritablePaths: []string{ws}, Helper: self(t)})
	out, err := cmd.CombinedOutput()
	if !errors.As(err, &ee) || ee.ExitCode() != ExitNotFound || !strings.Contains(string(out), "no such file") {
		t.Errorf("missing command under the sandbox gave %v: %q", err, out)
	}
}
