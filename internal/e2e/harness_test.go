// Package e2e runs the built q binary the way a user does, against the
// scripted model servers of modeltest on loopback, in temporary homes.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
)

var qBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "qdev-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	qBin = filepath.Join(dir, "q")
	// The helpers go next to q, where q looks for them.
	for _, b := range [][2]string{{qBin, "cmd/q"}, {filepath.Join(dir, "qdev-sandbox"), "cmd/qdev-sandbox"},
		{filepath.Join(dir, "qdev-knowledge"), "cmd/qdev-knowledge"}} {
		build := exec.Command("go", "build", "-o", b[0], "github.com/qdev/qdev/"+b[1])
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", b[1]+":", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is an isolated user: its own home, XDG directories and project folder.
type env struct {
	t    *testing.T
	home string
	cwd  string
	vars map[string]string
}

// scrubbed lists variables of the developer's environment that must not
// leak into a test run.
var scrubbed = []string{"OPENAI_", "ANTHROPIC_", "AWS_", "OLLAMA_", "XDG_", "Q_", "AMAZON_Q_", "NO_COLOR", "EDITOR", "QDEV_", "BROWSER",
	"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "SSL_CERT_"}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, home: filepath.Join(root, "home"), cwd: filepath.Join(root, "project"), vars: map[string]string{}}
	for _, d := range []string{e.home, e.cwd} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.vars["HOME"] = e.home
	e.vars["XDG_DATA_HOME"] = filepath.Join(e.home, ".local", "share")
	e.vars["XDG_CONFIG_HOME"] = filepath.Join(e.home, ".config")
	e.vars["XDG_RUNTIME_DIR"] = filepath.Join(root, "run")
	e.vars["AWS_CONFIG_FILE"] = filepath.Join(root, "aws-config")
	e.vars["AWS_SHARED_CREDENTIALS_FILE"] = filepath.Join(root, "aws-credentials")
	return e
}

func (e *env) environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range scrubbed {
			if strings.HasPrefix(kv, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	return out
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs q with args and stdin in the project folder.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	cmd := exec.Command(qBin, args...)
	cmd.Dir = e.cwd
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		e.t.Fatalf("q %v did not finish; stderr:\n%s", args, errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
}

func (e *env) write(rel, content string) string {
	e.t.Helper()
	p := filepath.Join(e.cwd, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// openai starts a fake OpenAI server and points q at it.
func (e *env) openai(turns ...modeltest.Turn) *modeltest.Server {
	s := modeltest.NewOpenAI(turns...)
	e.t.Cleanup(s.Close)
	e.vars["OPENAI_BASE_URL"] = s.URL
	e.vars["OPENAI_API_KEY"] = "test-key"
	return s
}

func (e *env) anthropic(turns ...modeltest.Turn) *modeltest.Server {
	s := modeltest.NewAnthropic(turns...)
	e.t.Cleanup(s.Close)
	e.vars["ANTHROPIC_BASE_URL"] = s.URL
	e.vars["ANTHROPIC_API_KEY"] = "test-key"
	return s
}

func (e *env) bedrock(turns ...modeltest.Turn) *modeltest.Server {
	s := modeltest.NewBedrock(turns...)
	e.t.Cleanup(s.Close)
	e.vars["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = s.URL
	e.vars["AWS_ACCESS_KEY_ID"] = "AKIDTEST"
	e.vars["AWS_SECRET_ACCESS_KEY"] = "secret"
	e.vars["AWS_REGION"] = "us-east-1"
	return s
}

func text(s ...string) modeltest.Turn { return modeltest.Turn{Text: s} }

func toolTurn(calls ...modeltest.ToolCall) modeltest.Turn { return modeltest.Turn{ToolCalls: calls} }

func tc(id, name, input string) modeltest.ToolCall {
	return modeltest.ToolCall{ID: id, Name: name, Input: input}
}

// noViolations fails the test if the client broke the protocol.
func noViolations(t *testing.T, s *modeltest.Server) {
	t.Helper()
	if v := s.Violations(); len(v) > 0 {
		t.Fatalf("protocol violations: %v", v)
	}
}

// lastToolResult returns the text of the first tool result in the last
// message of request i.
func lastToolResult(t *testing.T, s *modeltest.Server, i int) (string, bool) {
	t.Helper()
	reqs := s.Requests()
	if len(reqs) <= i {
		t.Fatalf("only %d requests", len(reqs))
	}
	msgs := reqs[i].Messages
	text, isErr, ok := toolResultIn(msgs[len(msgs)-1:])
	if !ok {
		t.Fatalf("request %d has no tool result", i)
	}
	return text, isErr
}

// toolResultIn returns the text of the latest tool result in msgs.
func toolResultIn(msgs []model.Message) (text string, isErr, found bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, b := range msgs[i].Content {
			if b.Type == model.ToolResultBlock {
				var sb strings.Builder
				for _, c := range b.Content {
					sb.WriteString(c.Text)
				}
				return sb.String(), b.IsError, true
			}
		}
	}
	return "", false, false
}
