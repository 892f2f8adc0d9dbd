// Package awstest runs moto_server (a local AWS emulator) on loopback
// behind a recording reverse proxy, so tests can drive the real AWS CLI
// against it and check what it sent, such as the user agent.
package awstest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/proctest"
)

// startTimeout bounds how long moto_server may take to answer; it is slow
// to import on a loaded machine.
const startTimeout = 90 * time.Second

// Moto is a running moto_server with a recording proxy in front of it.
type Moto struct {
	// URL is the proxy's base URL (http://127.0.0.1:port), for
	// AWS_ENDPOINT_URL.
	URL string

	dir      string
	mu       sync.Mutex
	requests []Request
}

// StartMoto starts moto_server on a free 127.0.0.1 port and a reverse
// proxy in front of it, waits until moto answers, and stops both when the
// test ends. It skips the test when moto_server is not on PATH.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		// CI must prove the AWS paths; a developer machine without moto may skip.
		if os.Getenv("CI") != "" {
			t.Fatal("awstest: moto_server is not on PATH (required in CI)")
		}
		t.Skip("moto_server not on PATH")
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("awstest: no free port: %v", err)
	}
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	t.Cleanup(func() { logFile.Close() })
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	backend := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := proctest.StartDaemon(t, cmd, startTimeout, time.Second, func() bool { return answers(backend) }); err != nil {
		log, _ := os.ReadFile(logFile.Name())
		t.Fatalf("awstest: moto_server did not start: %v\n%s", err, log)
	}

	m := &Moto{dir: dir}
	target, _ := url.Parse(backend)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := record(r)
		if err != nil {
			http.Error(w, "awstest: "+err.Error(), http.StatusBadRequest)
			return
		}
		m.mu.Lock()
		m.requests = append(m.requests, req)
		m.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

// UserAgents returns the User-Agent header of every request the proxy has
// seen, in order.
func (m *Moto) UserAgents() []string {
	reqs := m.Requests()
	agents := make([]string, len(reqs))
	for i, r := range reqs {
		agents[i] = r.UserAgent
	}
	return agents
}

// Environ returns base without any AWS_* variables, plus what the AWS CLI
// needs to talk to this moto only: the endpoint, dummy credentials, region
// us-east-1, and config and credentials files in a temporary directory, so
// the user's real AWS configuration is never read.
func (m *Moto) Environ(base []string) []string {
	out := make([]string, 0, len(base)+8)
	for _, kv := range base {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	config := filepath.Join(m.dir, "config")
	creds := filepath.Join(m.dir, "credentials")
	_ = os.WriteFile(config, []byte("[default]\nregion = us-east-1\n"), 0o600)
	_ = os.WriteFile(creds, []byte("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"), 0o600)
	return append(out,
		"AWS_ENDPOINT_URL="+m.URL,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
	)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// answers reports whether moto answers HTTP at base.
func answers(base string) bool {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(base + "/moto-api/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
