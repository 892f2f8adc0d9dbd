//go:build linux

package sandbox

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// repo makes a workspace with q's and git's configuration in it.
func repo(t *testing.T) (ws string, files map[string]string) {
	t.Helper()
	ws, _, _ = layout(t)
	files = map[string]string{
		".git/config":                  "[core]\n",
		".git/hooks/pre-commit.sample": "#!/bin/sh\n",
		".git/HEAD":                    "ref: refs/heads/main\n",
		".amazonq/cli-agents/a.json":   `{"name":"a"}`,
		".amazonq/mcp.json":            `{}`,
		"src/main.go":                  "package main\n",
	}
	for name, body := range files {
		p := filepath.Join(ws, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ws, files
}

// configPolicy is the workspace-write policy with q's configuration
// protected.
func configPolicy(ws string) Policy {
	return Policy{WritablePaths: WorkspaceWritable(ws), ReadOnlyPaths: WorkspaceConfig(ws), Network: true}
}

func TestConfigStaysReadOnly(t *testing.T) {
	needNamespaces(t)
	attacks := []string{
		"echo evil > .git/config",
		"echo evil >> .git/config",
		"truncate -s 0 .git/config",
		"rm -f .git/config",
		"mv .git/config old",
		"echo evil > x && mv x .git/config",
		"echo evil > x && cp x .git/config",
		"ln -sf /tmp/evil .git/config",
		"ln .git/config hard && echo evil >> hard",
		"touch .git/hooks/pre-commit",
		"ln -s .git/hooks h && echo evil > h/pre-push",
		"rm -rf .git/hooks",
		"mv .git/hooks .git/h && mkdir .git/hooks && echo evil > .git/hooks/pre-commit",
		"mv .git .g && mkdir -p .git/hooks && echo evil > .git/config && echo evil > .git/hooks/pre-commit",
		"rm -rf .git",
		"echo evil > .amazonq/cli-agents/a.json",
		"echo evil > .amazonq/cli-agents/b.json",
		"mv .amazonq .q2 && mkdir -p .amazonq/cli-agents && echo evil > .amazonq/cli-agents/a.json",
		"rm -rf .amazonq",
		"chmod 777 .git/config",
		"mkdir -p .kiro/agents && echo evil > .kiro/agents/k.json",
		"cd .. && mv ws ws2 && mkdir -p ws/.amazonq/cli-agents && echo evil > ws/.amazonq/cli-agents/a.json",
		"umount .git/config",
		"unshare -Urm sh -c 'umount .git/config; echo evil > .git/config'",
	}
	for _, attack := range attacks {
		t.Run(attack, func(t *testing.T) {
			ws, files := repo(t)
			p := configPolicy(ws)
			out, _ := run(t, &p, ws, "/bin/sh", "-c", attack)
			for name, body := range files {
				if !strings.HasPrefix(name, ".amazonq") && !strings.HasPrefix(name, ".git/config") && !strings.HasPrefix(name, ".git/hooks") {
					continue
				}
				got, err := os.ReadFile(filepath.Join(ws, name))
				if err != nil || string(got) != body {
					t.Errorf("%s is now %q (%v); output %q", name, got, err, out)
				}
			}
			for _, bad := range []string{".git/hooks/pre-commit", ".git/hooks/pre-push", ".amazonq/cli-agents/b.json", ".kiro/agents/k.json"} {
				if _, err := os.Lstat(filepath.Join(ws, bad)); err == nil {
					t.Errorf("%s was created; output %q", bad, out)
				}
			}
		})
	}
}

func TestWorkspaceStillWritable(t *testing.T) {
	needNamespaces(t)
	ws, _ := repo(t)
	p := configPolicy(ws)
	script := "echo new > src/new.go && mkdir -p build/out && mv src/new.go build/out/ && echo obj > .git/HEAD.new && " +
		"mv .git/HEAD.new .git/ORIG && rm .git/ORIG && cat build/out/new.go"
	if out, err := run(t, &p, ws, "/bin/sh", "-c", script); err != nil || out != "new\n" {
		t.Errorf("ordinary work in the workspace: %v: %q", err, out)
	}
}

// TestWritePolicyProperty writes to random paths inside and outside the
// writable and protected trees and checks each outcome against the
// policy: a write succeeds exactly when the path is below a writable
// root and not below a protected path.
func TestWritePolicyProperty(t *testing.T) {
	needNamespaces(t)
	ws, files := repo(t)
	tmp := os.TempDir()
	outside := filepath.Join(filepath.Dir(ws), "outside")
	p := configPolicy(ws)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	roots := []string{ws, tmp, outside, filepath.Join(ws, ".git"), filepath.Join(ws, ".git/hooks"),
		filepath.Join(ws, ".amazonq"), filepath.Join(ws, ".amazonq/cli-agents"), filepath.Join(ws, "src")}
	var targets []string
	for name := range files {
		targets = append(targets, filepath.Join(ws, name))
	}
	for range 60 {
		dir := roots[rng.IntN(len(roots))]
		targets = append(targets, filepath.Join(dir, fmt.Sprintf("f%d", rng.IntN(1000))))
	}
	allowed := func(path string) bool {
		for _, r := range p.ReadOnlyPaths {
			if Within(path, filepath.Clean(r)) {
				return false
			}
		}
		return Within(path, ws) || Within(path, tmp)
	}
	out, err := act(t, p, ws, "write", targets...)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(targets) {
		t.Fatalf("got %d results for %d paths: %q", len(lines), len(targets), out)
	}
	for i, path := range targets {
		if got, want := lines[i] == "ok", allowed(path); got != want {
			t.Errorf("write to %s: succeeded %v, policy says %v", path, got, want)
		}
	}
}

func TestNetworkDenied(t *testing.T) {
	needNamespaces(t)
	ws, tmp, outside := layout(t)
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	runtimeDir := filepath.Join(tmp, "xdg")
	os.Mkdir(runtimeDir, 0o700)
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	var socks []string
	for _, p := range []string{filepath.Join(runtimeDir, "bus"), filepath.Join(outside, "srv.sock"), filepath.Join(ws, "daemon.sock")} {
		l, err := net.Listen("unix", p)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		socks = append(socks, p)
	}
	abstract := fmt.Sprintf("@qdev-test-%d", os.Getpid())
	al, err := net.Listen("unix", abstract)
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	victim := exec.Command("sleep", "300")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	defer victim.Process.Kill()

	cases := [][]string{
		{"tcp", tcp.Addr().String()},
		{"udp", udp.LocalAddr().String()},
		{"unix", socks[0]}, {"unix", socks[1]}, {"unix", socks[2]},
		{"unix", abstract},
	}
	for _, allowed := range []bool{true, false} {
		p := Policy{WritablePaths: WorkspaceWritable(ws), Network: allowed}
		for _, c := range cases {
			out, err := act(t, p, ws, c[0], c[1])
			if (err == nil) != allowed {
				t.Errorf("network %v: %s %s: err %v, output %q", allowed, c[0], c[1], err, out)
			}
		}
		// Signals to processes outside the sandbox are denied either way.
		if out, err := act(t, p, ws, "kill", strconv.Itoa(victim.Process.Pid)); err == nil {
			t.Errorf("network %v: killing an outside process worked: %q", allowed, out)
		}
	}
}

func TestCredentialsHidden(t *testing.T) {
	needNamespaces(t)
	ws, _, _ := layout(t)
	home := filepath.Join(filepath.Dir(ws), "home")
	t.Setenv("HOME", home)
	secret := "aws_secret_access_key = SECRET"
	for name, body := range map[string]string{".aws/credentials": secret, ".aws/config": "[default]\n" + secret,
		".aws/sso/cache/x.json": secret, ".aws/cli/cache/y.json": secret} {
		p := filepath.Join(home, name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := &Policy{WritablePaths: []string{ws}, Network: true, HiddenPaths: []string{
		filepath.Join(home, ".aws/credentials"), filepath.Join(home, ".aws/config"),
		filepath.Join(home, ".aws/sso/cache"), filepath.Join(home, ".aws/cli/cache")}}
	out, _ := run(t, p, ws, "/bin/sh", "-c", "cat ~/.aws/credentials ~/.aws/config ~/.aws/sso/cache/* ~/.aws/cli/cache/* 2>&1; true")
	if strings.Contains(out, "SECRET") {
		t.Errorf("credentials readable in the sandbox: %q", out)
	}
	if out, _ := run(t, nil, ws, "cat", filepath.Join(home, ".aws/credentials")); !strings.Contains(out, "SECRET") {
		t.Errorf("the test's credentials are not readable outside: %q", out)
	}
}

// alive reports whether a process whose command line holds marker runs.
func alive(marker string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(marker)) {
			return true
		}
	}
	return false
}

func TestNothingSurvivesTheCommand(t *testing.T) {
	needNamespaces(t)
	ws, _, _ := layout(t)
	p := &Policy{WritablePaths: []string{ws}}
	for i, script := range []string{"sleep %s & echo started", "setsid sleep %s >/dev/null 2>&1 &", "nohup sh -c 'sleep %s' >/dev/null 2>&1 &"} {
		marker := fmt.Sprintf("%d.%d%d", 900+i, os.Getpid(), i)
		if out, err := run(t, p, ws, "/bin/sh", "-c", fmt.Sprintf(script, marker)); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		// The kernel kills the namespace as init exits; /proc may show
		// the process for a moment while it is being torn down.
		deadline := time.Now().Add(5 * time.Second)
		for alive(marker) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(marker) {
			t.Errorf("%q left its child running", script)
		}
	}
}
