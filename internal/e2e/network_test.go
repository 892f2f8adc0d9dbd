package e2e

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

var fakeModel = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(filepath.Dir(qBin), "qdev-fakemodel")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/qdev/qdev/cmd/qdev-fakemodel").CombinedOutput()
	if err != nil {
		return "", &exec.ExitError{Stderr: out}
	}
	return bin, nil
})

// startFakeModel runs qdev-fakemodel serving script over HTTPS with cert
// and key, and returns its base URL.
func startFakeModel(t *testing.T, script, certFile, keyFile string) string {
	t.Helper()
	bin, err := fakeModel()
	if err != nil {
		t.Fatalf("building qdev-fakemodel: %v", err)
	}
	scriptFile := filepath.Join(t.TempDir(), "script.json")
	if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-protocol", "openai", "-loop", "-script", scriptFile, "-tls-cert", certFile, "-tls-key", keyFile)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM); _ = cmd.Wait() })
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("qdev-fakemodel printed no URL: %v", err)
	}
	return strings.TrimSpace(url)
}

// TestChatThroughProxyWithPrivateCA runs q against qdev-fakemodel serving
// HTTPS with a certificate of a private CA, through a real proxy: refused
// with one line until the CA is configured (network.caBundle, then
// SSL_CERT_FILE), answered through the proxy's tunnel after, and shown by
// q doctor.
func TestChatThroughProxyWithPrivateCA(t *testing.T) {
	e := newEnv(t)
	ca := nettest.NewCA(t)
	caFile := ca.WriteFile(t)
	certFile, keyFile := nettest.WriteKeyPair(t, ca.Issue(t, nettest.Host, "127.0.0.1"))
	url := nettest.ViaHost(startFakeModel(t, `[{"text": ["answer through the proxy"]}]`, certFile, keyFile))
	proxy := nettest.StartProxy(t, nettest.Port(t, url))
	hostport := nettest.Host + ":" + nettest.Port(t, url)
	e.vars["HTTPS_PROXY"] = proxy.URL
	e.vars["OPENAI_BASE_URL"] = url
	e.vars["OPENAI_API_KEY"] = "test-key"
	ask := func() result { return e.run("", "--model", "openai/m", "--no-interactive", "hello") }

	r := ask()
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach "+url+": its certificate is not trusted") ||
		!strings.Contains(r.stderr, netconf.HintCA) || strings.Contains(r.stderr, "retrying") {
		t.Fatalf("without the CA: %+v", r)
	}
	if n := proxy.Connects(hostport); n != 1 {
		t.Errorf("without the CA the proxy opened %d tunnels, want 1", n)
	}

	if r := e.run("", "settings", "network.caBundle", caFile); r.code != 0 {
		t.Fatalf("settings network.caBundle: %+v", r)
	}
	if r := ask(); r.code != 0 || strings.TrimSpace(r.stdout) != "answer through the proxy" {
		t.Fatalf("with network.caBundle: %+v", r)
	}
	if n := proxy.Connects(hostport); n != 2 {
		t.Errorf("the proxy opened %d tunnels, want 2", n)
	}
	r = e.run("", "doctor")
	for _, want := range []string{
		"• proxy: https via " + proxy.URL + " (HTTPS_PROXY), http via none",
		"• CA certificates: the system's roots and " + caFile + " (network.caBundle, 1 certificate)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("q doctor lacks %q:\n%s", want, r.stdout)
		}
	}

	// SSL_CERT_FILE does the same.
	if r := e.run("", "settings", "--delete", "network.caBundle"); r.code != 0 {
		t.Fatalf("settings --delete: %+v", r)
	}
	e.vars["SSL_CERT_FILE"] = caFile
	if r := ask(); r.code != 0 || strings.TrimSpace(r.stdout) != "answer through the proxy" {
		t.Fatalf("with SSL_CERT_FILE: %+v", r)
	}
	if n := proxy.Connects(hostport); n != 3 {
		t.Errorf("the proxy opened %d tunnels, want 3", n)
	}
}

// TestBadNetworkConfiguration: a CA bundle or proxy variable q cannot use
// stops q with one line naming it, before any request.
func TestBadNetworkConfiguration(t *testing.T) {
	e := newEnv(t)
	s := e.openai(text("never"))
	missing := filepath.Join(e.home, "corp.pem")
	r := e.run("", "settings", "network.caBundle", missing)
	if r.code != 1 || strings.TrimSpace(r.stderr) != "q: CA bundle "+missing+" (from network.caBundle): no such file or directory" {
		t.Errorf("settings with a missing bundle: %+v", r)
	}
	if r := e.run("", "settings", "network.caBundle", "corp.pem"); r.code != 1 || !strings.Contains(r.stderr, "must be an absolute path") {
		t.Errorf("settings with a relative path: %+v", r)
	}

	// A hand-edited settings file, and the variables.
	settingsFile := filepath.Join(e.vars["XDG_CONFIG_HOME"], "qdev", "settings.json")
	if err := os.MkdirAll(filepath.Dir(settingsFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(settingsFile, []byte(`{"network.caBundle": "~/corp.pem"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		vars map[string]string
		want string
	}{
		{nil, "q: CA bundle " + missing + " (from network.caBundle): no such file or directory"},
		{map[string]string{"SSL_CERT_FILE": settingsFile}, "q: CA bundle " + settingsFile + " (from SSL_CERT_FILE): holds no PEM certificate (-----BEGIN CERTIFICATE-----)"},
		{map[string]string{"HTTPS_PROXY": "socks4://proxy:1080"}, "q: HTTPS_PROXY: socks4:// proxies are not supported: use http://, https:// or socks5://"},
	} {
		for k, v := range c.vars {
			e.vars[k] = v
		}
		r := e.run("", "--model", "openai/m", "--no-interactive", "hello")
		if r.code != 1 || strings.TrimSpace(r.stderr) != c.want {
			t.Errorf("%v: %+v\nwant the one line %s", c.vars, r, c.want)
		}
		for k := range c.vars {
			delete(e.vars, k)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("the model got %d requests", n)
	}
}

// TestUnreachableLocalModel: with Ollama not running q tries twice within
// a second or so, shows one retry line, and ends with how to fix it.
func TestUnreachableLocalModel(t *testing.T) {
	e := newEnv(t)
	addr := nettest.ClosedAddr(t)
	e.vars["OLLAMA_HOST"] = addr
	start := time.Now()
	r := e.run("", "--model", "ollama/llama3.1", "--no-interactive", "hello")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("q took %s to give up", took)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "⟳ retrying in ") ||
		!strings.Contains(lines[0], "(attempt 2 of 2): ollama: cannot reach http://"+addr+"/v1") {
		t.Fatalf("%+v", r)
	}
	want := "q: ollama: cannot reach http://" + addr + "/v1: dial tcp " + addr + ": connect: connection refused; " +
		"start Ollama (`ollama serve`) or set OLLAMA_HOST to the address it listens on"
	if lines[1] != want {
		t.Errorf("final error:\n%s\nwant\n%s", lines[1], want)
	}
}

// TestBedrockRegionHintAndQuietSDK: the missing-region error names real
// ways to set one, and the AWS SDK's own warnings go to q's log, not the
// terminal.
func TestBedrockRegionHintAndQuietSDK(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "--model", "bedrock/anthropic.claude-x", "--no-interactive", "hello")
	if r.code != 1 || !strings.Contains(r.stderr, "set AWS_REGION") || !strings.Contains(r.stderr, "aws configure set region") ||
		strings.Contains(r.stderr, "--region") {
		t.Errorf("without a region: %+v", r)
	}

	// No credentials anywhere: the SDK asks instance metadata, which here
	// refuses IMDSv2 tokens, and warns that it falls back to IMDSv1.
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		http.NotFound(w, r)
	}))
	defer imds.Close()
	s := e.bedrock(text("never"))
	delete(e.vars, "AWS_ACCESS_KEY_ID")
	delete(e.vars, "AWS_SECRET_ACCESS_KEY")
	e.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.URL
	e.vars["Q_LOG_LEVEL"] = "warn"
	r = e.run("", "--model", "bedrock/anthropic.claude-x", "--no-interactive", "hello")
	if r.code != 1 || !strings.Contains(r.stderr, "no usable AWS credentials") || strings.Contains(r.stderr, "SDK ") ||
		strings.Contains(r.stderr, "IMDSv1") {
		t.Errorf("without credentials: %+v", r)
	}
	log, err := os.ReadFile(filepath.Join(e.vars["XDG_RUNTIME_DIR"], "qlog", "qchat.log"))
	if err != nil || !strings.Contains(string(log), "falling back to IMDSv1") {
		t.Errorf("q's log (%v) lacks the SDK's warning:\n%s", err, log)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("Bedrock got %d requests", n)
	}
}
