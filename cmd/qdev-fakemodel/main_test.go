package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/anthropic"
	"github.com/qdev/qdev/internal/model/openai"
	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "script.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeLoopAndShutdown(t *testing.T) {
	script := writeScript(t, `[{"text": ["hel", "lo"], "usage": {"inputTokens": 3, "outputTokens": 1}}]`)
	for _, proto := range []string{"openai", "anthropic"} {
		t.Run(proto, func(t *testing.T) {
			url, stderr, stop := start(t, "-protocol", proto, "-script", script, "-loop")
			var p model.Provider
			var err error
			if proto == "openai" {
				p, err = openai.New(openai.Options{BaseURL: url, APIKey: "k"})
			} else {
				p, err = anthropic.New(anthropic.Options{BaseURL: url, APIKey: "k"})
			}
			if err != nil {
				t.Fatal(err)
			}
			// Three calls on a one-turn script: -loop replays it.
			for i := 0; i < 3; i++ {
				resp, err := p.Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: "hi"}}}}}, nil)
				if err != nil || resp.Message.Text() != "hello" {
					t.Fatalf("call %d: %v %+v", i, err, resp)
				}
			}
			if c := stop(); c != 0 {
				t.Errorf("exit %d; stderr: %s", c, stderr.String())
			}
			if !strings.Contains(stderr.String(), "served 3 request(s)") {
				t.Errorf("stderr: %s", stderr.String())
			}
		})
	}
}

func TestBadUsage(t *testing.T) {
	good := writeScript(t, `[{"text":["x"]}]`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no script", []string{"-protocol", "openai"}, "-script FILE is required"},
		{"missing file", []string{"-script", filepath.Join(t.TempDir(), "nope.json")}, "nope.json"},
		{"syntax error", []string{"-script", writeScript(t, `[{"text":]`)}, "script.json: byte"},
		{"unknown field", []string{"-script", writeScript(t, `[{"txt":["x"]}]`)}, `unknown field "txt"`},
		{"not an array", []string{"-script", writeScript(t, `{"text":["x"]}`)}, "want a JSON array of turns"},
		{"empty script", []string{"-script", writeScript(t, `[]`)}, "the script has no turns"},
		{"bad protocol", []string{"-protocol", "grpc", "-script", good}, `-protocol "grpc"`},
		{"bad addr", []string{"-script", good, "-addr", "127.0.0.1:notaport"}, "-addr"},
		{"cert without key", []string{"-script", good, "-tls-cert", "c.pem"}, "-tls-cert and -tls-key go together"},
		{"missing cert", []string{"-script", good, "-tls-cert", filepath.Join(t.TempDir(), "c.pem"), "-tls-key", "k.pem"}, "-tls-cert/-tls-key: open "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), c.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), c.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

// start runs the tool in the background and returns its URL, its stderr
// and a function that stops it and returns the exit status.
func start(t *testing.T, args ...string) (string, *syncBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	stderr := &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, args, outW, stderr)
		outW.Close()
	}()
	url, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no URL on stdout: %v; stderr: %s", err, stderr.String())
	}
	stop := sync.OnceValue(func() int { cancel(); return <-code })
	t.Cleanup(func() { stop() })
	return strings.TrimSpace(url), stderr, stop
}

func TestViolationsExitOne(t *testing.T) {
	url, stderr, stop := start(t, "-script", writeScript(t, `[{"text":["x"]}]`))
	p, err := openai.New(openai.Options{BaseURL: url, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	req := &model.Request{Model: "m", Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: "hi"}}}}}
	if _, err := p.Stream(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stream(context.Background(), req, nil); err == nil {
		t.Fatal("second call on a one-turn script succeeded")
	}
	if c := stop(); c != 1 {
		t.Errorf("exit %d, want 1", c)
	}
	if !strings.Contains(stderr.String(), "violation: request 2: script exhausted") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestBedrockProtocolStarts(t *testing.T) {
	url, stderr, stop := start(t, "-protocol", "bedrock", "-script", writeScript(t, `[{"text":["x"]}]`))
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("URL %q", url)
	}
	if c := stop(); c != 0 {
		t.Errorf("exit %d", c)
	}
	if !strings.Contains(stderr.String(), "AWS_ENDPOINT_URL_BEDROCK_RUNTIME="+url) {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestServesTLS(t *testing.T) {
	ca := nettest.NewCA(t)
	certFile, keyFile := nettest.WriteKeyPair(t, ca.Issue(t, "127.0.0.1"))
	url, stderr, stop := start(t, "-script", writeScript(t, `[{"text":["secure"]}]`), "-tls-cert", certFile, "-tls-key", keyFile)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	n, err := netconf.Load(netconf.Options{Getenv: func(string) string { return "" }, CABundle: ca.WriteFile(t)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := openai.New(openai.Options{BaseURL: url, APIKey: "k", HTTPClient: n.Client()})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: "hi"}}}}}, nil)
	if err != nil || resp.Message.Text() != "secure" {
		t.Fatalf("%v %+v", err, resp)
	}
	if c := stop(); c != 0 {
		t.Errorf("exit %d; stderr: %s", c, stderr.String())
	}
}
