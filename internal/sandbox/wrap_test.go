package sandbox

import (
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// fakeKernel makes Probe report abi for the rest of the test.
func fakeKernel(t *testing.T, abi int) {
	t.Helper()
	old := probe
	probe = func() (int, error) {
		if abi == 0 {
			return 0, errors.New("no Landlock here")
		}
		return abi, nil
	}
	t.Cleanup(func() { probe = old })
}

func TestWrapRewritesCommand(t *testing.T) {
	fakeKernel(t, 7)
	cmd := &exec.Cmd{Path: "/bin/echo", Args: []string{"echo", "a b"}, Dir: "/ws", Env: []string{"A=1"},
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	got, err := Wrap(cmd, Policy{WritablePaths: []string{"/ws/", "/tmp", "/ws"}})
	if err != nil || got != cmd {
		t.Fatalf("Wrap = %p, %v; want the same command and no error", got, err)
	}
	if cmd.Path != "/proc/self/exe" {
		t.Errorf("Path = %q", cmd.Path)
	}
	want := []string{"q", HelperArg, "--policy", `{"writable":["/ws","/tmp"],"network":false}`, "--path", "/bin/echo", "--", "echo", "a b"}
	if !reflect.DeepEqual(cmd.Args, want) {
		t.Errorf("Args = %q\nwant %q", cmd.Args, want)
	}
	if cmd.Dir != "/ws" || cmd.Env[0] != "A=1" || !cmd.SysProcAttr.Setpgid {
		t.Error("Wrap changed the directory, environment or process attributes")
	}
	// The helper reads back exactly what Wrap wrote.
	p, path, argv, err := parseHelperArgs(cmd.Args[2:])
	if err != nil || path != "/bin/echo" || !reflect.DeepEqual(argv, []string{"echo", "a b"}) ||
		!reflect.DeepEqual(p, Policy{WritablePaths: []string{"/ws", "/tmp"}}) {
		t.Errorf("parseHelperArgs = %+v, %q, %q, %v", p, path, argv, err)
	}
	other, _ := Wrap(&exec.Cmd{Path: "/bin/true"}, Policy{Helper: "/usr/bin/q", Network: true})
	if other.Path != "/usr/bin/q" || other.Args[len(other.Args)-1] != "/bin/true" {
		t.Errorf("custom helper: %q %q", other.Path, other.Args)
	}
}

func TestWorkspaceWritable(t *testing.T) {
	t.Setenv("TMPDIR", "/scratch")
	got := WorkspaceWritable("/ws", "/cache")
	if want := []string{"/ws", "/scratch", "/cache"}; !reflect.DeepEqual(got, want) {
		t.Errorf("WorkspaceWritable = %q, want %q", got, want)
	}
}

func TestWrapWithoutLandlock(t *testing.T) {
	tests := []struct {
		name     string
		abi      int
		policy   Policy
		runs     bool // a command comes back
		wrapped  bool // and it goes through the helper
		warnPart string
	}{
		{"no landlock", 0, Policy{}, true, false, "running the command without a sandbox"},
		{"no landlock, required", 0, Policy{Required: true}, false, false, "the sandbox is required"},
		{"no network rules", 3, Policy{}, true, true, "runs sandboxed but with network access"},
		{"no network rules, required", 3, Policy{Required: true}, false, false, "network access must be denied"},
		{"no network rules, network allowed", 3, Policy{Network: true, Required: true}, true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeKernel(t, tt.abi)
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
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.warnPart) {
				t.Errorf("error %v, want ErrUnavailable with %q", err, tt.warnPart)
			}
		})
	}
}

func TestWrapRejects(t *testing.T) {
	fakeKernel(t, 7)
	if _, err := Wrap(exec.Command("/bin/true"), Policy{WritablePaths: []string{"rel"}}); err == nil || !strings.Contains(err.Error(), `"rel" is not absolute`) {
		t.Errorf("relative path: %v", err)
	}
	if _, err := Wrap(&exec.Cmd{}, Policy{}); err == nil {
		t.Error("empty command accepted")
	}
	for _, args := range [][]string{
		nil,
		{"--policy"},
		{"--policy", "{"},
		{"--policy", "{}"},
		{"--policy", "{}", "--"},
		{"--policy", `{"writable":["x"]}`, "--", "true"},
		{"--bogus"},
		{"--path", "/bin/true", "--", "true"},
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
	if _, _, _, err := parseHelperArgs([]string{"--policy", "{}", "--", "no-such-command-qdev"}); err == nil {
		t.Error("unknown command without --path accepted")
	}
	p, path, _, err := parseHelperArgs([]string{"--policy", "{}", "--", "sh", "-c", "x"})
	if err != nil || !strings.HasSuffix(path, "/sh") || p.Network {
		t.Errorf("lookup of sh: %q %v", path, err)
	}
	if b, _ := json.Marshal(Policy{Required: true, Helper: "x"}); string(b) != `{"writable":null,"network":false}` {
		t.Errorf("caller-only fields leak to the helper: %s", b)
	}
}
