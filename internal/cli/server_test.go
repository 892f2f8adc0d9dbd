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
