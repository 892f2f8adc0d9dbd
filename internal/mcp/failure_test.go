package mcp

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/tool"
)

// signalWriter closes ch at the first write: the call has reached the server.
type signalWriter struct {
	once sync.Once
	ch   chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.ch) })
	return len(p), nil
}

// longCall starts a long-running call and returns once the server reported
// progress, with a channel that delivers the call's result.
func longCall(t *testing.T, m *Manager, ctx context.Context) <-chan tool.Result {
	t.Helper()
	inv, err := findTool(t, m, "triggerlongrunningoperation").Prepare(&tool.Env{}, json.RawMessage(`{"duration":30,"steps":30}`))
	if err != nil {
		t.Fatal(err)
	}
	w := &signalWriter{ch: make(chan struct{})}
	done := make(chan tool.Result, 1)
	go func() { done <- inv.Run(ctx, w) }()
	select {
	case <-w.ch:
	case r := <-done:
		t.Fatalf("long call ended early: %+v", r)
	case <-time.After(30 * time.Second):
		t.Fatal("no progress from the long call")
	}
	return done
}

func serverPid(t *testing.T, m *Manager, name string) int {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.servers[0]
	if s.cfg.Name != name || s.conn == nil || s.conn.cmd == nil {
		t.Fatalf("server %s has no process", name)
	}
	return s.conn.cmd.Process.Pid
}

func TestServerKilledMidCallIsRestartedOnce(t *testing.T) {
	m := startManager(t, Options{}, everything(t, "ev"))
	done := longCall(t, m, context.Background())
	if err := syscall.Kill(serverPid(t, m, "ev"), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !r.IsError || !strings.Contains(text(r.Content), "ev") {
		t.Fatalf("call on a killed server = %+v, want an error result", r)
	}
	st := status(t, m, "ev")
	if st.State != StateFailed || st.LastError == "" {
		t.Fatalf("after the crash, status = %+v", st)
	}
	// The tools stay offered: the next call restarts the server.
	if r := run(t, m, "echo", `{"message":"again"}`); r.IsError || text(r.Content) != "Echo: again" {
		t.Fatalf("call after the crash = %+v", r)
	}
	if st := status(t, m, "ev"); st.State != StateReady || st.LastError != "" {
		t.Fatalf("after the restart, status = %+v", st)
	}

	// A second crash is not repaired: calls fail and the tools go away.
	echo := findTool(t, m, "echo") // as held by an agent with an old tool list
	if err := syscall.Kill(serverPid(t, m, "ev"), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	call := func() tool.Result {
		inv, _ := echo.Prepare(&tool.Env{}, json.RawMessage(`{"message":"x"}`))
		return inv.Run(context.Background(), io.Discard)
	}
	if r := call(); !r.IsError {
		t.Fatalf("call after the second crash = %+v", r)
	}
	r = call()
	if !r.IsError || !strings.Contains(text(r.Content), "already restarted once") {
		t.Errorf("second call after the second crash = %+v", r)
	}
	if st := status(t, m, "ev"); st.State != StateFailed {
		t.Errorf("after the second crash, status = %+v", st)
	}
	if n := len(m.Tools()); n != 0 {
		t.Errorf("a dead server still offers %d tools", n)
	}
}

func TestHangingCallIsBoundedByTheTimeout(t *testing.T) {
	cfg := everything(t, "ev")
	cfg.Timeout = 5 * time.Second // it also bounds launching node, slow on a loaded machine
	m := startManager(t, Options{}, cfg)
	inv, _ := findTool(t, m, "triggerlongrunningoperation").Prepare(&tool.Env{}, json.RawMessage(`{"duration":60,"steps":2}`))
	r := inv.Run(context.Background(), io.Discard)
	if !r.IsError || !strings.Contains(text(r.Content), "no answer within 5s") {
		t.Fatalf("hanging call = %+v", r)
	}
	if st := status(t, m, "ev"); st.State != StateFailed || !strings.Contains(st.LastError, "5s") {
		t.Fatalf("status = %+v", st)
	}
	if r := run(t, m, "echo", `{"message":"back"}`); r.IsError {
		t.Fatalf("call after the hang = %+v", r)
	}
}

func TestInterruptedCallLeavesServerRunning(t *testing.T) {
	m := startManager(t, Options{}, everything(t, "ev"))
	ctx, cancel := context.WithCancel(context.Background())
	done := longCall(t, m, ctx)
	cancel()
	if r := <-done; !r.IsError {
		t.Fatalf("interrupted call = %+v", r)
	}
	if st := status(t, m, "ev"); st.State != StateReady {
		t.Fatalf("after an interrupt, status = %+v", st)
	}
	if r := run(t, m, "echo", `{"message":"still here"}`); r.IsError {
		t.Fatalf("call after the interrupt = %+v", r)
	}
}

func TestBrokenServersFailAlone(t *testing.T) {
	servers := []ServerConfig{
		{Name: "ghost", Type: TypeStdio, Command: "qdev-no-such-command", Timeout: 5 * time.Second},
		{Name: "quitter", Type: TypeStdio, Command: "sh", Args: []string{"-c", "echo 'fatal: bad config' >&2; exit 3"}, Timeout: 5 * time.Second},
		{Name: "sleeper", Type: TypeStdio, Command: "sleep", Args: []string{"60"}, Timeout: 500 * time.Millisecond},
		{Name: "nowhere", Type: TypeHTTP, URL: "http://127.0.0.1:1/mcp", Timeout: 5 * time.Second},
		everything(t, "ev"),
	}
	m := startManager(t, Options{}, servers...)
	for name, want := range map[string]string{
		"ghost":   "executable file not found",
		"quitter": "fatal: bad config",
		"sleeper": "no answer to initialize within 500ms",
		"nowhere": "connection refused",
	} {
		if st := status(t, m, name); st.State != StateFailed || !strings.Contains(st.LastError, want) {
			t.Errorf("%s: status = %+v, want failed with %q", name, st, want)
		}
	}
	if st := status(t, m, "ev"); st.State != StateReady {
		t.Fatalf("ev: status = %+v", st)
	}
	if r := run(t, m, "echo", `{"message":"fine"}`); r.IsError {
		t.Errorf("echo = %+v", r)
	}
}

func TestToolNameConflictsBetweenServers(t *testing.T) {
	aliases := map[string]string{"@b/echo": "b_echo"}
	m := startManager(t, Options{Aliases: aliases, Reserved: []string{"getsum"}}, everything(t, "a"), everything(t, "b"))
	counts := map[string]int{}
	for _, tl := range m.Tools() {
		counts[tl.Spec().Name]++
	}
	if counts["echo"] != 1 || counts["b_echo"] != 1 {
		t.Errorf("echo offered %d times, b_echo %d times", counts["echo"], counts["b_echo"])
	}
	if counts["getsum"] != 0 {
		t.Errorf("a reserved name was given to an MCP tool")
	}
	// The later server's other tools are renamed after their server, so
	// both servers' tools are offered.
	var renamedA, renamedB bool
	for name, n := range counts {
		if n != 1 {
			t.Errorf("%s offered %d times", name, n)
		}
		renamedA = renamedA || strings.HasPrefix(name, "a_getsum")
		renamedB = renamedB || name == "b_getenv" || name == "a_getenv"
	}
	if !renamedA || !renamedB {
		t.Errorf("clashing tools not renamed: %v", counts)
	}
}

func TestCloseStopsServers(t *testing.T) {
	m := startManager(t, Options{}, everything(t, "ev"))
	pid := serverPid(t, m, "ev")
	echo := findTool(t, m, "echo")
	m.Close()
	// After Close the process group is gone (signal 0 probes existence).
	if err := syscall.Kill(-pid, 0); err == nil {
		t.Errorf("process group %d still exists after Close", pid)
	}
	if n := len(m.Tools()); n != 0 {
		t.Errorf("%d tools offered after Close", n)
	}
	inv, _ := echo.Prepare(&tool.Env{}, json.RawMessage(`{}`))
	if r := inv.Run(context.Background(), io.Discard); !r.IsError {
		t.Errorf("call after Close = %+v", r)
	}
}

func TestPromptOnFailedServerRestartsIt(t *testing.T) {
	changed := make(chan struct{}, 16)
	m := startManager(t, Options{OnChange: func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}}, everything(t, "ev"))
	if err := syscall.Kill(serverPid(t, m, "ev"), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for status(t, m, "ev").State != StateFailed {
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the crash was not noticed: %+v", status(t, m, "ev"))
		}
	}
	if st := status(t, m, "ev"); !strings.Contains(st.LastError, "exited") || !strings.Contains(st.LastError, "signal: killed") {
		t.Errorf("LastError = %q", st.LastError)
	}
	msgs, err := m.GetPrompt(context.Background(), "args-prompt", []string{"Lima"})
	if err != nil || len(msgs) != 1 || msgs[0].Text() != "What's weather in Lima?" {
		t.Fatalf("GetPrompt after the crash = %+v, %v", msgs, err)
	}
	if st := status(t, m, "ev"); st.State != StateReady {
		t.Errorf("status = %+v", st)
	}
}
