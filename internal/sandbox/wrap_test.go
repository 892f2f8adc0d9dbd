package sandbox

import (
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// fakeSystem makes Probe report abi and the namespace probe ns for the
// rest of the test.
func fakeSystem(t *testing.T, abi int, ns bool) {
	t.Helper()
	oldProbe, oldNS := probe, namespaces
	probe = func() (int, error) {
		if abi == 0 {
			return 0, errors.New("no Landlock here")
		}
		return abi, nil
	}
	namespaces = func(string) bool { return ns }
	t.Cleanup(func() { probe, namespaces = oldProbe, oldNS })
}

func TestWrapRewritesCommand(t *testing.T) {
	fakeSystem(t, 7, false)
	cmd := &exec.Cmd{Path: "/bin/echo", Args: []string{"echo", "a b"}, Dir: "/ws", Env: []string{"A=1"},
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	got, err := Wrap(cmd, Policy{WritablePaths: []string{"/ws/", "/scratch", "/ws"}, Network: true, Helper: "/opt/q/qdev-sandbox"})
	if err != nil || got != cmd {
		t.Fatalf("Wrap = %p, %v; want the same command and no error", got, err)
	}
	if cmd.Path != "/opt/q/qdev-sandbox" || cmd.Args[1] != HelperArg {
		t.Errorf("Path %q Args %q", cmd.Path, cmd.Args)
	}
	if cmd.Dir != "/ws" || cmd.Env[0] != "A=1" || !cmd.SysProcAttr.Setpgid {
		t.Error("Wrap changed the directory, environment or process attributes")
	}
	// The helper reads back exactly what Wrap wrote.
	c, path, argv, err := parseHelperArgs(cmd.Args[2:])
	if err != nil || path != "/bin/echo" || !reflect.DeepEqual(argv, []string{"echo", "a b"}) ||
		!reflect.DeepEqual(c.Writable, []string{"/ws", "/scratch"}) || !c.Network || c.Namespaces || c.ABI != 7 {
		t.Errorf("parseHelperArgs = %+v, %q, %q, %v", c, path, argv, err)
	}
}

// TestWrapForksAsVfork checks that q asks for the namespaces at its own
// fork but keeps that fork a vfork: no id maps for q to write (the helper
// writes them), CLONE_VM and CLONE_VFORK set.
func TestWrapForksAsVfork(t *testing.T) {
	fakeSystem(t, 7, true)
	for _, network := range []bool{true, false} {
		cmd, err := Wrap(exec.Command("/bin/true"), Policy{Network: network, Helper: "/h"})
		if err != nil {
			t.Fatal(err)
		}
		a := cmd.SysProcAttr
		want := uintptr(syscall.CLONE_VM | syscall.CLONE_VFORK | syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID)
		if !network {
			want |= syscall.CLONE_NEWNET
		}
		if a.Cloneflags != want || len(a.UidMappings) != 0 || len(a.GidMappings) != 0 || len(a.AmbientCaps) != 3 || a.Pdeathsig != 0 {
			t.Errorf("network %v: attributes %+v", network, a)
		}
		c, _, _, err := parseHelperArgs(cmd.Args[2:])
		if err != nil || !c.Namespaces || c.Network != network || c.UID != syscall.Geteuid() || c.GID != syscall.Getegid() || c.Parent != syscall.Getpid() {
			t.Errorf("network %v: the helper reads %+v, %v", network, c, err)
		}
	}
	// Without namespaces the helper execs the command, which keeps the
	// caller's attributes and dies with q.
	fakeSystem(t, 7, false)
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if cmd, _ = Wrap(cmd, Policy{Network: true, Helper: "/h"}); !cmd.SysProcAttr.Setpgid || cmd.SysProcAttr.Pdeathsig != syscall.SIGKILL || cmd.SysProcAttr.Cloneflags != 0 {
		t.Errorf("attributes without namespaces: %+v", cmd.SysProcAttr)
	}
}

func TestWorkspacePaths(t *testing.T) {
	t.Setenv("TMPDIR", "/scratch")
	if got, want := WorkspaceWritable("/ws", "/cache"), []string{"/ws", "/scratch", "/cache"}; !reflect.DeepEqual(got, want) {
		t.Errorf("WorkspaceWritable = %q, want %q", got, want)
	}
	got := WorkspaceConfig("/ws")
	for _, want := range []string{"/ws/.amazonq/", "/ws/.kiro/", "/ws/.git/config", "/ws/.git/hooks/"} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("WorkspaceConfig lacks %s: %q", want, got)
		}
	}
	for _, c := range []struct {
		p, root string
		in      bool
	}{{"/a/b", "/a", true}, {"/a", "/a", true}, {"/ab", "/a", false}, {"/x", "/", true}} {
		if Within(c.p, c.root) != c.in {
			t.Errorf("Within(%q, %q) != %v", c.p, c.root, c.in)
		}
	}
}

func TestWrapWhatCannotBeEnforced(t *testing.T) {
	ws := []string{"/ws"}
	tests := []struct {
		name     string
		abi      int
		ns       bool
		policy   Policy
		runs     bool // a command comes back
		wrapped  bool // and it goes through the helper
		warnPart string
	}{
		{"no landlock", 0, true, Policy{}, true, false, "running the command without a sandbox"},
		{"no landlock, required", 0, true, Policy{Required: true}, false, false, "the sandbox is required"},
		{"namespaces cover the network", 3, true, Policy{Required: true}, true, true, ""},
		{"no namespaces, old ABI", 3, false, Policy{}, true, true, "cannot deny TCP, UDP"},
		{"no namespaces, ABI 7", 7, false, Policy{Required: true}, false, false, "cannot deny UDP, Unix sockets of outside servers"},
		{"no namespaces, network allowed", 3, false, Policy{Network: true, Required: true}, true, true, ""},
		{"no namespaces, config in workspace", 7, false, Policy{Network: true, WritablePaths: ws, ReadOnlyPaths: []string{"/ws/.git/config"}, Required: true}, false, false, "configuration inside writable paths stays writable"},
		{"no namespaces, config elsewhere", 7, false, Policy{Network: true, WritablePaths: ws, ReadOnlyPaths: []string{"/etc/q"}, Required: true}, true, true, ""},
		{"no namespaces, credentials", 7, false, Policy{Network: true, HiddenPaths: []string{"/h/.aws/credentials"}}, true, true, "credential files stay readable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeSystem(t, tt.abi, tt.ns)
			tt.policy.Helper = "/h"
			cmd, err := Wrap(exec.Command("/bin/true"), tt.policy)
			if (cmd != nil) != tt.runs {
				t.Fatalf("Wrap returned command %v, want one: %v (err %v)", cmd, tt.runs, err)
			}
			if cmd != nil && (cmd.Path != "/bin/true") != tt.wrapped {
				t.Errorf("command path %q, wrapped want %v", cmd.Path, tt.wrapped)
			}
			if tt.warnPart == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.warnPart) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line, ErrUnavailable with %q", err, tt.warnPart)
			}
		})
	}
}

func TestWrapRejects(t *testing.T) {
	fakeSystem(t, 7, true)
	if _, err := Wrap(exec.Command("/bin/true"), Policy{WritablePaths: []string{"rel"}}); err == nil || !strings.Contains(err.Error(), `"rel" is not absolute`) {
		t.Errorf("relative path: %v", err)
	}
	if _, err := Wrap(&exec.Cmd{}, Policy{}); err == nil {
		t.Error("empty command accepted")
	}
	for _, args := range [][]string{
		nil,
		{"--writable"},
		{"--abi", "x", "--", "true"},
		{"--abi", "0", "--", "true"},
		{"--"},
		{"--writable", "x", "--", "true"},
		{"--hidden", "x", "--", "true"},
		{"--read-only", "", "--", "true"},
		{"--bogus"},
		{"--policy", "{}", "--", "true"},
		{"--path", "/bin/true"},
		{"--namespaces", "--uid", "1", "--", "true"},
		{"--uid", "1", "--gid", "1", "--", "true"},
		{"--namespaces", "--uid", "1", "--uid", "2", "--", "true"},
		{"--uid", "-1", "--", "true"},
		{"--parent", "0", "--", "true"},
	} {
		if _, _, _, err := parseHelperArgs(args); err == nil {
			t.Errorf("parseHelperArgs(%q) accepted", args)
		}
		// RunHelper stops before restricting anything on bad arguments,
		// so it is safe to call in the test process.
		if code := RunHelper(args); code != ExitSetupFailed {
			t.Errorf("RunHelper(%q) = %d, want %d", args, code, ExitSetupFailed)
		}
	}
	if _, _, _, err := parseHelperArgs([]string{"--", "no-such-command-qdev"}); err == nil {
		t.Error("unknown command without --path accepted")
	}
}

func TestFeatures(t *testing.T) {
	enforced := func(abi int, ns bool) map[string]bool {
		m := map[string]bool{}
		for _, f := range features(abi, ns) {
			w := strings.Fields(f.Name)
			m[w[0]+" "+w[1]] = f.Enforced
			if f.By == "" {
				t.Errorf("%s: no mechanism named", f.Name)
			}
		}
		return m
	}
	for name, ok := range enforced(7, true) {
		if !ok {
			t.Errorf("ABI 7 with namespaces: %s not enforced", name)
		}
	}
	noNS := enforced(7, false)
	if !noNS["TCP when"] || noNS["UDP when"] || noNS["Unix sockets"] || !noNS["abstract Unix"] || noNS["q's configuration"] ||
		noNS["credential files"] || !noNS["file writes"] || noNS["file metadata"] {
		t.Errorf("ABI 7 without namespaces: %v", noNS)
	}
	for name, ok := range enforced(0, true) {
		if ok {
			t.Errorf("no Landlock: %s enforced", name)
		}
	}
	// Each line says what this kernel's Landlock cannot do, even where a
	// namespace does it.
	by := map[string]string{}
	for _, f := range features(7, true) {
		w := strings.Fields(f.Name)
		by[w[0]+" "+w[1]] = f.By
	}
	for first, want := range map[string]string{
		"UDP when":      "network namespace; Landlock ABI 7 cannot, it needs ABI 10",
		"TCP when":      "network namespace and Landlock ABI 7",
		"signals to":    "PID namespace and Landlock ABI 7",
		"file writes":   "read-only mounts in a mount namespace and Landlock ABI 7",
		"file metadata": "read-only mounts in a mount namespace; no Landlock ABI restricts it",
	} {
		if by[first] != want {
			t.Errorf("%s: enforced by %q, want %q", first, by[first], want)
		}
	}
	for _, f := range features(5, false) {
		if strings.HasPrefix(f.Name, "signals") && (f.Enforced || !strings.Contains(f.By, "needs Landlock ABI 6 (this kernel has 5)")) {
			t.Errorf("ABI 5 without namespaces: %+v", f)
		}
	}
}
