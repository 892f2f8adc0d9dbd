package mcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/procgroup"
)

// Transport names shown in ServerStatus.
const (
	transportStdio      = "stdio"
	transportStreamable = "http"
	transportSSE        = "sse"
)

// protocolVersion is asked for in initialize. Naming a version that uses the
// classic initialize handshake skips the SDK's newer server/discover probe,
// which servers written before 2026 do not know.
const protocolVersion = "2025-11-25"

// conn is one live connection to a server.
type conn struct {
	session   *sdk.ClientSession
	transport string
	cmd       *exec.Cmd          // stdio servers only
	cancel    context.CancelFunc // ends the connection's context
	closeOnce sync.Once
	// exited is set by close when the process was reaped, so that its
	// exit status may be read.
	exited bool
}

// close ends the session and kills the server's process group, so nothing a
// stdio server started outlives it.
func (c *conn) close() {
	c.closeOnce.Do(func() {
		if c.cmd != nil {
			// Closing stdin first lets a healthy server exit on its own;
			// the kill then catches children and servers that ignore it.
			done := make(chan struct{})
			go func() { _ = c.session.Close(); close(done) }()
			select {
			case <-done:
				c.exited = c.cmd.ProcessState != nil
			case <-time.After(time.Second):
			}
			_ = procgroup.Kill(c.cmd)
		} else {
			_ = c.session.Close()
		}
		c.cancel()
	})
}

// exitStatus describes how a stdio server ended ("exit status 3", "signal:
// killed"), or "" when unknown. Call it after close.
func (c *conn) exitStatus() string {
	if !c.exited {
		return ""
	}
	return c.cmd.ProcessState.String()
}

// dial connects to s's server and runs the initialize handshake, bounded by
// the server's timeout.
func (m *Manager) dial(s *server) (*conn, error) {
	client := sdk.NewClient(&sdk.Implementation{Name: clientName, Version: clientVersion}, s.clientOptions())
	if s.cfg.Type == TypeHTTP {
		return m.dialRemote(s, client)
	}
	lookup := lookupIn(m.opts.Environ)
	env := childEnv(m.opts.Environ, s.cfg.Env, lookup)
	args := make([]string, len(s.cfg.Args))
	for i, a := range s.cfg.Args {
		args[i] = expandRefs(a, lookup)
	}
	// The program pinned when the server was allowed runs, whatever the
	// PATH or the files say by now.
	program := s.cfg.Resolved
	if program == "" {
		var err error
		if program, err = ResolveCommand(s.cfg, m.opts.Environ, m.opts.Dir); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(program, args...)
	// argv[0] stays the name as configured: multi-call programs (busybox)
	// choose what to be by it, and the resolved file may be their target.
	home, _ := lookup("HOME")
	cmd.Args[0] = expandCommand(s.cfg.Command, home, lookup)
	cmd.Env = env
	cmd.Dir = m.opts.Dir
	cmd.Stderr = s.stderr
	// Grandchildren holding stderr open must not keep Wait from returning.
	cmd.WaitDelay = time.Second
	procgroup.New(cmd)
	if m.opts.Sandbox != nil {
		wrapped, err := m.opts.Sandbox(cmd)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		cmd = wrapped
	}
	t := &sdk.CommandTransport{Command: cmd, TerminateDuration: time.Second}
	c, err := m.handshake(s, client, t, transportStdio)
	if err != nil {
		_ = procgroup.Kill(cmd)
		return nil, err
	}
	c.cmd = cmd
	return c, nil
}

// dialRemote tries Streamable HTTP, then the older HTTP+SSE transport, as
// the Q CLI does.
func (m *Manager) dialRemote(s *server, client *sdk.Client) (*conn, error) {
	lookup := lookupIn(m.opts.Environ)
	headers := make(map[string]string, len(s.cfg.Headers))
	for k, v := range s.cfg.Headers {
		headers[k] = expandRefs(v, lookup)
	}
	base := m.opts.HTTPClient
	if base == nil {
		base = http.DefaultClient
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	// No http.Client.Timeout: it would also cut the long-lived event
	// streams. Each request is bounded by its context instead.
	hc := &http.Client{Transport: &headerTransport{base: rt, headers: headers}, Jar: base.Jar}
	c, err := m.handshake(s, client, &sdk.StreamableClientTransport{Endpoint: s.cfg.URL, HTTPClient: hc, MaxRetries: 2}, transportStreamable)
	if err == nil {
		return c, nil
	}
	if netconf.IsCertificateError(err) {
		// The SSE fallback would meet the same certificate.
		return nil, errors.New(netconf.DescribeCertificateError(s.cfg.URL, err))
	}
	client = sdk.NewClient(&sdk.Implementation{Name: clientName, Version: clientVersion}, s.clientOptions())
	c, err2 := m.handshake(s, client, &sdk.SSEClientTransport{Endpoint: s.cfg.URL, HTTPClient: hc}, transportSSE)
	if err2 != nil {
		return nil, fmt.Errorf("streamable HTTP: %v; SSE: %v", err, err2)
	}
	return c, nil
}

// handshake connects t. The connection's context lives until the
// connection is closed (the SSE transport ties its event stream to it), so
// the timeout cancels it only when the handshake is still running.
func (m *Manager) handshake(s *server, client *sdk.Client, t sdk.Transport, name string) (*conn, error) {
	ctx, cancel := context.WithCancel(m.ctx)
	timer := time.AfterFunc(s.cfg.Timeout, cancel)
	session, err := client.Connect(ctx, t, &sdk.ClientSessionOptions{ProtocolVersion: protocolVersion})
	timedOut := !timer.Stop()
	if err != nil {
		cancel()
		switch {
		case m.ctx.Err() != nil:
			return nil, errors.New("stopped")
		case timedOut:
			return nil, fmt.Errorf("no answer to initialize within %s", s.cfg.Timeout)
		case closedConn(err):
			return nil, errors.New("the server closed the connection during initialize")
		}
		return nil, err
	}
	return &conn{session: session, transport: name, cancel: cancel}, nil
}

// closedConn reports whether err means the other end went away.
func closedConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, sdk.ErrConnectionClosed)
}

// headerTransport adds the configured headers to every request.
type headerTransport struct {
	base    http.RoundTripper
	headers map[string]string
}

// RoundTrip sends req with the headers set.
func (h *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(h.headers) > 0 {
		req = req.Clone(req.Context())
		for k, v := range h.headers {
			req.Header.Set(k, v)
		}
	}
	return h.base.RoundTrip(req)
}
