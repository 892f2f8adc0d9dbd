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
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as q: re-executed with HelperArg it is the
// sandbox helper, and with actionEnv set it is a small program the tests
// run inside the sandbox.
const actionEnv = "QDEV_SANDBOX_TEST_ACTION"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == HelperArg {
		os.Exit(RunHelper(os.Args[2:]))
	}
	if act := os.Getenv(actionEnv); act != "" {
		os.Exit(testAction(act))
	}
	os.Exit(m.Run())
}

// testAction is the program run inside the sandbox: "dial ADDR" connects
// over classic TCP; "info" prints the process ids, directory and a
// variable.
func testAction(act string) int {
	verb, arg, _ := strings.Cut(act, " ")
	switch verb {
	case "dial":
		d := net.Dialer{}
		d.SetMultipathTCP(false) // Landlock restricts classic TCP only
		conn, err := d.DialContext(context.Background(), "tcp", arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		conn.Close()
		return 0
	case "info":
		wd, _ := os.Getwd()
		fmt.Printf("pid=%d pgid=%d dir=%s var=%s\n", os.Getpid(), syscall.Getpgrp(), wd, os.Getenv("SANDBOX_VAR"))
		return 0
	}
	return 2
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

// run runs name args, sandboxed by p unless p is nil, and returns its
// combined output and error.
func run(t *testing.T, p *Policy, dir string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if p != nil {
		var err error
		if cmd, err = Wrap(cmd, *p); err != nil {
			t.Fatalf("Wrap: %v", err)
		}
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestProbe(t *testing.T) {
	abi, err := Probe()
	if (abi == 0) != (err != nil) {
		t.Fatalf("Probe() = %d, %v: an error must come exactly with ABI 0", abi, err)
	}
	t.Logf("Landlock ABI %d (%v)", abi, err)
}

func TestWritesConfinedToWorkspaceAndTemp(t *testing.T) {
	needABI(t, 1, "the write sandbox")
	touch, err := exec.LookPath("touch")
	if err != nil {
		t.Skip("no touch command")
	}
	ws, tmp, outside := layout(t)
	p := &Policy{WritablePaths: WorkspaceWritable(ws)}

	for _, target := range []string{filepath.Join(ws, "x"), filepath.Join(tmp, "x")} {
		if out, err := run(t, p, ws, touch, target); err != nil {
			t.Errorf("sandboxed touch %s: %v: %s", target, err, out)
		}
	}
	blocked := filepath.Join(outside, "x")
	out, err := run(t, p, ws, touch, blocked)
	if err == nil || !strings.Contains(out, "Permission denied") {
		t.Errorf("sandboxed touch outside the workspace: err %v, output %q; want a permission error", err, out)
	}
	if _, serr := os.Stat(blocked); serr == nil {
		t.Error("the file outside the workspace was created")
	}
	if out, err := run(t, nil, ws, touch, blocked); err != nil {
		t.Errorf("unsandboxed touch outside the workspace: %v: %s", err, out)
	}

	// Redirections to /dev/null and moves between workspace directories
	// keep working.
	script := "echo hi >/dev/null && mkdir -p a b && echo x >a/f && mv a/f b/f && cat b/f"
	if out, err := run(t, p, ws, "/bin/sh", "-c", script); err != nil || out != "x\n" {
		t.Errorf("sandboxed script: %v: %q", err, out)
	}
	// Read-only mode: nothing writable.
	if out, err := run(t, &Policy{}, ws, touch, filepath.Join(ws, "y")); err == nil {
		t.Errorf("read-only sandbox let touch write the workspace: %q", out)
	}
}

func TestKeepsProcessSetup(t *testing.T) {
	needABI(t, 1, "the sandbox")
	ws, _, _ := layout(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), actionEnv+"=info", "SANDBOX_VAR=kept")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if cmd, err = Wrap(cmd, Policy{WritablePaths: []string{ws}}); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	pid := cmd.Process.Pid
	want := fmt.Sprintf("pid=%d pgid=%d dir=%s var=kept\n", pid, pid, ws)
	if string(out) != want {
		t.Errorf("sandboxed process reported %q, want %q", out, want)
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
	cmd := &exec.Cmd{Path: filepath.Join(ws, "missing"), Args: []string{"missing"}}
	cmd, _ = Wrap(cmd, *p)
	out, err := cmd.CombinedOutput()
	if !errors.As(err, &ee) || ee.ExitCode() != ExitNotFound || !strings.Contains(string(out), "no such file") {
		t.Errorf("missing command under the sandbox gave %v: %q", err, out)
	}
}

func TestNetwork(t *testing.T) {
	abi := needABI(t, NetworkABI, "denying TCP connections")
	ws, _, _ := layout(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dial := func(p Policy) (string, error) {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), actionEnv+"=dial "+ln.Addr().String())
		if cmd, err = Wrap(cmd, p); err != nil {
			t.Fatal(err)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := dial(Policy{WritablePaths: []string{ws}, Network: true}); err != nil {
		t.Errorf("connect with network allowed (ABI %d): %v: %s", abi, err, out)
	}
	out, err := dial(Policy{WritablePaths: []string{ws}})
	if err == nil || !strings.Contains(out, "permission denied") {
		t.Errorf("connect with network denied (ABI %d): err %v, output %q; want permission denied", abi, err, out)
	}
}
