package mcp

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/procgroup"
)

// serverBin returns the path of an npm MCP server binary installed in
// .mcp-servers (found from the repository root or $QDEV_MCP_SERVERS). It
// skips the test when the servers are absent, except in CI where that is a
// failure.
func serverBin(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("QDEV_MCP_SERVERS")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, ".mcp-servers")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	bin := filepath.Join(dir, "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("MCP test server %s not installed (%v); run .ci/run or set QDEV_MCP_SERVERS", name, err)
		}
		t.Skipf("MCP test server %s not installed: %v", name, err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node not found: %v", err)
		}
		t.Skip("node not found")
	}
	return bin
}

// everything returns a stdio config of server-everything.
func everything(t testing.TB, name string) ServerConfig {
	return ServerConfig{Name: name, Type: TypeStdio, Command: serverBin(t, "mcp-server-everything"), Args: []string{"stdio"}, Timeout: 30 * time.Second}
}

// startManager starts servers and waits until they settled.
func startManager(t testing.TB, opts Options, servers ...ServerConfig) *Manager {
	t.Helper()
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	m := Start(context.Background(), servers, opts)
	t.Cleanup(m.Close)
	if !m.Wait(context.Background(), 60*time.Second) {
		t.Fatalf("servers did not settle: %+v", m.Status())
	}
	return m
}

// findTool returns the tool whose model-facing name is name.
func findTool(t testing.TB, m *Manager, name string) *mcpTool {
	t.Helper()
	var names []string
	for _, tl := range m.Tools() {
		if tl.Spec().Name == name {
			return tl.(*mcpTool)
		}
		names = append(names, tl.Spec().Name)
	}
	t.Fatalf("tool %s not offered; have %v; status %+v", name, names, m.Status())
	return nil
}

// status returns the status of server name.
func status(t testing.TB, m *Manager, name string) ServerStatus {
	t.Helper()
	for _, s := range m.Status() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no server %s", name)
	return ServerStatus{}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// loopbackPreload makes a Node server that calls listen(port) bind to
// 127.0.0.1 instead of every interface, so tests stay on loopback.
const loopbackPreload = `const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if ((typeof args[0] === 'number' || typeof args[0] === 'string') && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
`

// startHTTPEverything runs server-everything in mode (streamableHttp or
// sse) on a loopback port and returns its base URL once it listens.
func startHTTPEverything(t testing.TB, mode string) string {
	t.Helper()
	bin := serverBin(t, "mcp-server-everything")
	preload := filepath.Join(t.TempDir(), "loopback.cjs")
	if err := os.WriteFile(preload, []byte(loopbackPreload), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(bin, mode)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "NODE_OPTIONS=--require "+preload)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	procgroup.New(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = procgroup.Kill(cmd); _ = cmd.Wait() })
	// The server prints a line with its port on stderr once it listens.
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		ok := false
		for sc.Scan() {
			if line := sc.Text(); !ok && strings.Contains(line, strconv.Itoa(port)) && !strings.Contains(line, "Failed") {
				ok = true
				listening <- true
			}
		}
		if !ok {
			listening <- false
		}
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatalf("server-everything %s exited before listening", mode)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server-everything %s did not start", mode)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port)
}
