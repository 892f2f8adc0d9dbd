//go:build linux

package sandbox

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// landlockOnly makes Wrap believe user namespaces are unavailable for the
// rest of the test, so that what is checked is Landlock's doing alone.
func landlockOnly(t *testing.T) {
	t.Helper()
	old := namespaces
	namespaces = func(string) bool { return false }
	t.Cleanup(func() { namespaces = old })
}

// TestSignalScope checks Landlock's signal scoping (ABI 6) without the PID
// namespace, which would hide outside processes anyway: a sandboxed
// command cannot signal a process of the same user outside the sandbox,
// and can still signal its own children.
func TestSignalScope(t *testing.T) {
	needABI(t, ScopeABI, "scoping signals")
	landlockOnly(t)
	ws, _, _ := layout(t)
	victim := exec.Command("sleep", "300")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	defer victim.Process.Kill()
	p := Policy{WritablePaths: []string{ws}, Network: true}
	out, err := act(t, p, ws, "kill", strconv.Itoa(victim.Process.Pid))
	if err == nil || !strings.Contains(out, "operation not permitted") {
		t.Errorf("signalling an outside process: %v, %q; want it refused", err, out)
	}
	if err := syscall.Kill(victim.Process.Pid, 0); err != nil {
		t.Errorf("the outside process is gone: %v", err)
	}
	out, err = run(t, &p, ws, "/bin/sh", "-c", "sleep 300 & kill $!; wait $!; echo status $?")
	if err != nil || !strings.Contains(out, "status 143") {
		t.Errorf("signalling its own child: %v, %q; want 143", err, out)
	}
}

// TestAbstractSocketScope checks Landlock's abstract Unix socket scoping
// (ABI 6) without a network namespace, which would give the command
// abstract sockets of its own anyway.
func TestAbstractSocketScope(t *testing.T) {
	needABI(t, ScopeABI, "scoping abstract Unix sockets")
	landlockOnly(t)
	ws, _, _ := layout(t)
	name := fmt.Sprintf("@qdev-scope-%d", os.Getpid())
	l, err := net.Listen("unix", name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, allowed := range []bool{true, false} {
		out, err := act(t, Policy{WritablePaths: []string{ws}, Network: allowed}, ws, "unix", name)
		if (err == nil) != allowed {
			t.Errorf("network %v: connecting to %s: %v, %q", allowed, name, err, out)
		}
	}
}
