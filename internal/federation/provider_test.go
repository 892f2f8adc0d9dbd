package federation_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// account is a user of the test provider.
type account struct {
	Email         string   `json:"email,omitempty"`
	EmailVerified *bool    `json:"email_verified,omitempty"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups,omitempty"`
}

// testProvider is oidc-provider, a real and independent OpenID Connect
// provider, running testdata/provider.mjs on a free port of 127.0.0.1.
type testProvider struct {
	issuer   string
	accounts string // the accounts file, which the provider reads at each sign-in
}

// moduleDir returns the folder .ci/run installs oidc-provider into
// ($QDEV_OIDC_PROVIDER, or .oidc-provider at the repository root). It
// skips the test in one line when node or the package is missing, except
// in CI, where that is a failure.
func moduleDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("QDEV_OIDC_PROVIDER")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", ".oidc-provider")
	}
	skip := t.Skipf
	if os.Getenv("CI") != "" {
		skip = t.Fatalf
	}
	if _, err := exec.LookPath("node"); err != nil {
		skip("node is not installed: the federation test needs it to run oidc-provider")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		skip("oidc-provider is not installed in %s (.ci/run installs it)", dir)
	}
	return dir
}

// startProvider starts the provider with one confidential client and the
// accounts, stopping it when the test ends.
func startProvider(t *testing.T, clientID, secret, redirectURI string, accounts map[string]account) *testProvider {
	t.Helper()
	dir := moduleDir(t)
	p := &testProvider{accounts: filepath.Join(t.TempDir(), "accounts.json")}
	p.setAccounts(t, accounts)
	cfg, _ := json.Marshal(map[string]string{"client_id": clientID, "client_secret": secret,
		"redirect_uri": redirectURI, "accounts_file": p.accounts})
	cmd := exec.Command("node", filepath.Join("testdata", "provider.mjs"), dir)
	cmd.Env = append(os.Environ(), "QDEV_TEST_OIDC="+string(cfg))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Closing stdin stops the provider; Wait reaps it.
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case p.issuer = <-line:
	case <-time.After(30 * time.Second):
	}
	if !strings.HasPrefix(p.issuer, "http://127.0.0.1:") {
		t.Fatalf("oidc-provider did not start: %q\n%s", p.issuer, stderr.String())
	}
	return p
}

// setAccounts replaces the provider's accounts.
func (p *testProvider) setAccounts(t *testing.T, accounts map[string]account) {
	t.Helper()
	b, _ := json.Marshal(accounts)
	if err := os.WriteFile(p.accounts, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
