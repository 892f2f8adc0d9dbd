package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/apikey"
)

// lockedBuffer lets the test read what the server goroutine writes.
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

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestServerFlagParsingAndConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "server.json")
	writeFile(t, cfg, `{"listen":"127.0.0.1:9999","data":"/from/config","database":"postgres://db/x"}`)
	var got serverOptions
	cmd := NewCmdServer(IO{}, func(o *serverOptions) error { got = *o; return nil }, nil)
	var out, errOut bytes.Buffer
	if err := runCmd(cmd, &out, &errOut, "server", "--config", cfg, "--data", "/from/flag"); err != nil {
		t.Fatal(err)
	}
	if got.Listen != "127.0.0.1:9999" || got.DataDir != "/from/flag" || got.Database != "postgres://db/x" {
		t.Fatalf("options = %+v", got)
	}
	writeFile(t, cfg, `{"listne":"x"}`)
	err := runCmd(NewCmdServer(IO{}, func(*serverOptions) error { return nil }, nil), &out, &errOut, "server", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), `unknown field "listne"`) {
		t.Fatalf("misspelt setting: %v", err)
	}
	var init serverOptions
	cmd = NewCmdServer(IO{}, nil, func(o *serverOptions) error { init = *o; return nil })
	if err := runCmd(cmd, &out, &errOut, "server", "init", "--admin", "a@example.com", "--data", "/d"); err != nil {
		t.Fatal(err)
	}
	if init.Admin != "a@example.com" || init.DataDir != "/d" || init.Listen != defaultListen {
		t.Fatalf("init options = %+v", init)
	}
}

// TestServerInitAndServe initialises a store, serves it on a free loopback
// port, calls it with the printed key, and stops it as SIGTERM would.
func TestServerInitAndServe(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	o := &serverOptions{IO: IO{Out: &out, ErrOut: &errOut}, DataDir: dir, Admin: "Root@Example.com"}
	if err := serverInitRun(o); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSuffix(out.String(), "\n")
	if _, err := apikey.Parse(key); err != nil || errOut.Len() != 0 {
		t.Fatalf("init printed %q / %q", out.String(), errOut.String())
	}
	err := serverInitRun(o)
	var ee *ExitError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "already initialised") {
		t.Fatalf("second init: %v", err)
	}

	logs := &lockedBuffer{}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serverRun(&serverOptions{IO: IO{Out: &out, ErrOut: logs}, Context: ctx, DataDir: dir, Listen: "127.0.0.1:0"})
	}()
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no listening line: %q", logs.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	req, _ := http.NewRequest("GET", url+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/me = %v, %v", resp, err)
	}
	resp.Body.Close()
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serverRun = %v", err)
	}
	if strings.Contains(logs.String(), key) {
		t.Fatal("the key is in the log")
	}
}

func TestServerRefusesUninitialisedStore(t *testing.T) {
	var out, errOut bytes.Buffer
	err := serverRun(&serverOptions{IO: IO{Out: &out, ErrOut: &errOut}, Context: context.Background(), DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "q server init") {
		t.Fatalf("err = %v", err)
	}
}

// TestServerConfigIdentityProviders reads identity_providers from --config:
// secrets come from the environment or a file, and a bad provider is one
// line naming it and the field, without the secret.
func TestServerConfigIdentityProviders(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "server.json")
	const secret = "very-secret-value"
	t.Setenv("OKTA_SECRET", secret)
	t.Setenv("NOPE", "")
	run := func(config string) (serverOptions, error) {
		writeFile(t, cfg, config)
		var got serverOptions
		cmd := NewCmdServer(IO{}, func(o *serverOptions) error { got = *o; return nil }, nil)
		var out, errOut bytes.Buffer
		err := runCmd(cmd, &out, &errOut, "server", "--config", cfg)
		return got, err
	}
	got, err := run(`{"identity_providers":[{"name":"okta","issuer":"https://example.okta.com","client_id":"0oa1",
		"client_secret_env":"OKTA_SECRET","groups":{"Engineering":"eng"},"create_users":true}]}`)
	if err != nil || len(got.Providers) != 1 || got.Providers[0].Name != "okta" || got.Providers[0].GroupsClaim != "groups" {
		t.Fatalf("providers = %+v, %v", got.Providers, err)
	}
	for _, tc := range []struct{ config, want string }{
		{`{"identity_providers":[{"name":"okta","issuer":"http://example.okta.com","client_id":"a","client_secret":"` + secret + `"}]}`,
			`identity_providers[0] (okta).issuer: "http://example.okta.com": expected an https URL (http only on a loopback address)`},
		{`{"identity_providers":[{"name":"okta","issuer":"https://x","client_id":"a","client_secret":"` + secret + `","client_secret_env":"OKTA_SECRET"}]}`,
			`identity_providers[0] (okta).client_secret: give exactly one of client_secret, client_secret_file and client_secret_env`},
		{`{"identity_providers":[{"name":"okta","issuer":"https://x","client_id":"a","client_secret_env":"NOPE"}]}`,
			`identity_providers[0] (okta).client_secret_env: $NOPE is not set`},
		{`{"identity_providers":[{"name":"okta","issuer":"https://x","client_id":"a","client_secret_file":"` + filepath.Join(dir, "none") + `"}]}`,
			`identity_providers[0] (okta).client_secret_file: open ` + filepath.Join(dir, "none") + `: no such file or directory`},
		{`{"identity_providers":[{"name":"Okta!","issuer":"https://x","client_id":"a","client_secret":"` + secret + `"}]}`,
			`identity_providers[0] (Okta!).name: expected 1-32 lower-case letters, digits or '-'`},
		{`{"identity_providers":[{"name":"okta","issuer":"https://x","client_id":"a","client_secret":"` + secret + `","groups":{"G":"a b"}}]}`,
			`identity_providers[0] (okta).groups: "G" → "a b": expected a provider group and a qdev group name`},
		{`{"identity_providers":[{"name":"okta","issuer":"https://x","client_id":"a","client_secret":5}]}`, `identity_providers.client_secret: expected a string`},
		{`{"listen":5}`, `listen: expected a string`},
	} {
		_, err := run(tc.config)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s:\n err = %v\nwant %q", tc.config, err, tc.want)
		}
	}
}
