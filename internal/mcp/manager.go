package mcp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"
)

// The client identity sent in initialize. The Q CLI sends exactly this
// (mcp_client/client.rs), and servers may recognise it.
const (
	clientName    = "Q DEV CLI"
	clientVersion = "1.0.0"
)

// Server states reported by Status.
const (
	StateLoading    = "loading"
	StateReady      = "ready"
	StateFailed     = "failed"
	StateRestarting = "restarting"
	// StateDisabled is a server configured with "disabled": true; it is not started.
	StateDisabled = "disabled"
)

// Options configures a Manager.
type Options struct {
	// Environ is the environment of stdio servers, already carrying the AI
	// marker (tool.ChildEnv); each server's "env" is set on top. ${VAR}
	// references in the configuration are looked up here too. nil means
	// qdev's own environment.
	Environ []string
	// Dir is the working directory of stdio servers ("" = qdev's own).
	Dir string
	// Aliases is the agent's toolAliases: "@server/tool" -> model-facing name.
	Aliases map[string]string
	// Reserved are names MCP tools may not take (the built-in tools).
	Reserved []string
	// Logger receives server lifecycle events and stderr; nil discards.
	Logger *slog.Logger
	// OnChange, if set, is called (from a background goroutine) whenever a
	// server's state or tool list changes, so the chat can refresh /tools.
	OnChange func()
	// HTTPClient, if set, is the base client for remote servers.
	HTTPClient *http.Client
	// Sandbox, if set, confines stdio servers: it returns the command to
	// run instead, or an error that keeps the server from starting.
	Sandbox func(*exec.Cmd) (*exec.Cmd, error)
}

// Manager runs the configured MCP servers of one session. Its methods are
// safe for concurrent use.
type Manager struct {
	opts   Options
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex // guards everything below and every server's fields
	servers []*server
	names   *nameTable
	closed  bool
	seq     uint64 // progress tokens

	// starting counts start attempts in flight; Close waits for them, so a
	// server still launching when q exits is killed, not orphaned. Add is
	// called under mu while !closed only.
	starting sync.WaitGroup
	// stopped is closed when Close has finished, so that every caller of
	// Close, not only the first, returns only once the servers are gone.
	stopped chan struct{}
}

// ServerStatus describes one server.
type ServerStatus struct {
	Name string
	// State is one of StateLoading, StateReady, StateFailed, StateRestarting, StateDisabled.
	State string
	// Tools is the number of tools the server offers to the model.
	Tools int
	// LastError is why the server failed, with the end of its stderr.
	LastError string
	// Transport is "stdio", "http" (Streamable HTTP) or "sse" once connected.
	Transport string
	// Warnings are naming problems of its tools (renamed, rejected).
	Warnings []string
	// Source is where the server was configured.
	Source string
}

// Start launches every enabled server in the background and returns at
// once. ctx bounds the servers' lifetime as Close does.
func Start(ctx context.Context, servers []ServerConfig, opts Options) *Manager {
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	m := &Manager{opts: opts, log: opts.Logger, names: newNameTable(opts.Reserved), stopped: make(chan struct{})}
	if m.log == nil {
		m.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m.ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	context.AfterFunc(ctx, m.Close)
	for _, cfg := range servers {
		s := &server{m: m, cfg: cfg, settled: make(chan struct{}), progress: map[string]*progressSink{}}
		s.stderr = &stderrLog{server: cfg.Name, log: m.log}
		m.servers = append(m.servers, s)
		if cfg.Disabled {
			s.state = StateDisabled
			close(s.settled)
			continue
		}
		s.state = StateLoading
		m.goStart(s)
	}
	return m
}

// goStart starts s in the background, counted in m.starting; the caller
// holds mu (or owns m alone) and m is not closed.
func (m *Manager) goStart(s *server) {
	m.starting.Add(1)
	go func() {
		defer m.starting.Done()
		s.start()
	}()
}

// closeWait bounds how long Close waits for servers still starting: their
// handshakes end as soon as the manager's context is cancelled, so this
// only matters if a transport ignores that.
const closeWait = 5 * time.Second

// Wait blocks until every server is ready or failed, timeout passes or ctx
// ends, and reports whether all servers settled. Servers still loading keep
// loading in the background (the chat uses mcp.initTimeout or
// mcp.noInteractiveTimeout here).
func (m *Manager) Wait(ctx context.Context, timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for _, s := range m.snapshot() {
		m.mu.Lock()
		ch := s.settled
		m.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// Status returns the state of every configured server, in configuration order.
func (m *Manager) Status() []ServerStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]ServerStatus, 0, len(m.servers))
	for _, s := range m.servers {
		out = append(out, ServerStatus{
			Name: s.cfg.Name, State: s.state, Tools: len(s.tools), LastError: s.lastErr,
			Transport: s.transport, Warnings: append([]string(nil), s.warnings...), Source: s.cfg.Source,
		})
	}
	return out
}

// Close stops every server (killing stdio servers' process groups),
// including servers still starting, and waits for them to go. It is safe
// to call more than once and concurrently; every call waits.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		<-m.stopped
		return
	}
	m.closed = true
	defer close(m.stopped)
	var conns []*conn
	for _, s := range m.servers {
		if s.conn != nil {
			conns = append(conns, s.conn)
			s.conn = nil
		}
	}
	m.mu.Unlock()
	m.cancel()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.close() }()
	}
	wg.Wait()
	started := make(chan struct{})
	go func() { m.starting.Wait(); close(started) }()
	select {
	case <-started:
	case <-time.After(closeWait):
		m.log.Warn("mcp servers still starting after close")
	}
}

func (m *Manager) snapshot() []*server {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*server(nil), m.servers...)
}

// lookup returns the server called name.
func (m *Manager) lookup(name string) *server {
	for _, s := range m.snapshot() {
		if s.cfg.Name == name {
			return s
		}
	}
	return nil
}

func (m *Manager) changed() {
	if m.opts.OnChange != nil {
		go m.opts.OnChange()
	}
}
