package nettest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/proctest"
)

// startTimeout bounds how long tinyproxy may take to listen.
const startTimeout = 20 * time.Second

// Proxy is a running tinyproxy.
type Proxy struct {
	// URL is the proxy's address, http://127.0.0.1:PORT, for HTTPS_PROXY.
	URL string
	log string
}

// StartProxy starts tinyproxy in the foreground on a free loopback port,
// allowing CONNECT tunnels to connectPorts only, and stops it when the test
// ends. It skips the test when tinyproxy is not installed, except in CI
// (CI set), where that fails it.
func StartProxy(t testing.TB, connectPorts ...string) *Proxy {
	t.Helper()
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("nettest: tinyproxy is not on PATH (required in CI)")
		}
		t.Skip("tinyproxy not on PATH")
	}
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatalf("nettest: no free port: %v", err)
	}
	p := &Proxy{URL: fmt.Sprintf("http://127.0.0.1:%d", port), log: filepath.Join(dir, "tinyproxy.log")}
	var conf strings.Builder
	fmt.Fprintf(&conf, "Listen 127.0.0.1\nPort %d\nTimeout 60\nMaxClients 32\nAllow 127.0.0.1\n", port)
	fmt.Fprintf(&conf, "LogFile %q\nLogLevel Connect\nPidFile %q\nDisableViaHeader Yes\n", p.log, filepath.Join(dir, "tinyproxy.pid"))
	for _, cp := range connectPorts {
		fmt.Fprintf(&conf, "ConnectPort %s\n", cp)
	}
	confFile := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "tinyproxy.out"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	cmd := exec.Command(bin, "-d", "-c", confFile)
	cmd.Stdout, cmd.Stderr = out, out
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := proctest.StartDaemon(t, cmd, startTimeout, 200*time.Millisecond, func() bool { return listening(addr) }); err != nil {
		msg, _ := os.ReadFile(out.Name())
		t.Fatalf("nettest: tinyproxy did not start: %v\n%s%s", err, msg, p.Log())
	}
	return p
}

// Log returns tinyproxy's log so far.
func (p *Proxy) Log() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// Connects counts the CONNECT requests the proxy received for hostport
// ("127.1:4431"), as its log records them.
func (p *Proxy) Connects(hostport string) int {
	return strings.Count(p.Log(), "CONNECT "+hostport+" ")
}

// Requests counts the plain-HTTP requests the proxy forwarded whose URL
// starts with prefix ("http://127.1:8080/").
func (p *Proxy) Requests(prefix string) int {
	n := 0
	for _, line := range strings.Split(p.Log(), "\n") {
		if _, req, ok := strings.Cut(line, "): "); ok && strings.Contains(line, "Request (") {
			if _, u, ok := strings.Cut(req, " "); ok && strings.HasPrefix(u, prefix) {
				n++
			}
		}
	}
	return n
}

// ClosedAddr returns a loopback address where nothing listens.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("nettest: no free port: %v", err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// listening reports whether addr accepts a connection.
func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
