package mcp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// server is one configured server and its current connection. All fields
// after stderr are guarded by Manager.mu.
type server struct {
	m      *Manager
	cfg    ServerConfig
	stderr *stderrLog

	state     string
	lastErr   string
	warnings  []string
	transport string
	conn      *conn
	tools     []toolEntry
	prompts   []*sdk.Prompt
	resources bool // the server advertises resources
	// restarted is set once the one automatic restart has been used.
	restarted bool
	// settled is closed when the current start or restart attempt ends.
	settled chan struct{}
	// progress routes progress notifications to the output of the call
	// that asked for them.
	progress map[string]*progressSink
}

// start connects and lists tools and prompts; it ends the attempt that
// s.settled belongs to.
func (s *server) start() {
	m := s.m
	c, err := m.dial(s)
	var tools []rawTool
	var prompts []*sdk.Prompt
	if err == nil {
		tools, prompts, err = s.list(c)
		if err != nil {
			c.close()
		}
	}
	// A connection made while the manager closed is closed here, after
	// the lock is released (deferred first, so it runs last) and before
	// this attempt counts as ended: Close waits for that.
	var orphan *conn
	defer func() {
		if orphan != nil {
			orphan.close()
		}
	}()
	m.mu.Lock()
	defer m.changed()
	defer m.mu.Unlock()
	defer close(s.settled)
	if m.closed {
		orphan = c
		s.state, s.lastErr = StateFailed, "stopped"
		return
	}
	if err != nil {
		s.state, s.lastErr = StateFailed, s.describe(err)
		s.tools, s.prompts = nil, nil
		m.names.release(s.cfg.Name)
		m.log.Warn("mcp server failed to start", "server", s.cfg.Name, "error", s.lastErr)
		return
	}
	s.conn, s.transport, s.state, s.lastErr = c, c.transport, StateReady, ""
	s.prompts = prompts
	caps := c.session.InitializeResult().Capabilities
	s.resources = caps != nil && caps.Resources != nil
	s.setTools(tools)
	m.log.Info("mcp server ready", "server", s.cfg.Name, "transport", c.transport, "tools", len(s.tools))
	go s.watch(c)
}

// setTools names tools, leaving out the configured disabledTools;
// Manager.mu must be held.
func (s *server) setTools(tools []rawTool) {
	tools = slices.DeleteFunc(slices.Clone(tools), func(t rawTool) bool { return slices.Contains(s.cfg.DisabledTools, t.name) })
	s.tools, s.warnings = s.m.names.assign(s.cfg.Name, tools, s.m.opts.Aliases)
	for _, w := range s.warnings {
		s.m.log.Warn("mcp tool naming", "server", s.cfg.Name, "warning", w)
	}
}

// list fetches tools and prompts when the server advertises them. Unlike the
// Q CLI, a server without tools is ready, not forever loading (issue #2905).
func (s *server) list(c *conn) ([]rawTool, []*sdk.Prompt, error) {
	ctx, cancel := context.WithTimeout(s.m.ctx, s.cfg.Timeout)
	defer cancel()
	caps := c.session.InitializeResult().Capabilities
	var tools []rawTool
	if caps != nil && caps.Tools != nil {
		for t, err := range c.session.Tools(ctx, nil) {
			if err != nil {
				return nil, nil, fmt.Errorf("tools/list: %w", err)
			}
			tools = append(tools, rawTool{name: t.Name, description: t.Description, schema: t.InputSchema})
		}
	}
	var prompts []*sdk.Prompt
	if caps != nil && caps.Prompts != nil {
		for p, err := range c.session.Prompts(ctx, nil) {
			if err != nil {
				// Prompts are optional; a failure here must not cost the tools.
				s.m.log.Warn("mcp prompts/list failed", "server", s.cfg.Name, "error", err)
				break
			}
			prompts = append(prompts, p)
		}
	}
	return tools, prompts, nil
}

// watch marks the server failed when its connection ends on its own (the
// process died or the remote end went away).
func (s *server) watch(c *conn) {
	// Wait's error is the process's exit ("signal: killed"), which fail
	// adds from the exit status anyway.
	err := c.session.Wait()
	s.m.log.Debug("mcp connection ended", "server", s.cfg.Name, "error", err)
	s.fail(c, errLost)
}

// fail records that c stopped working and closes it. Only the current
// connection changes the state, so a late report about an old one is ignored.
func (s *server) fail(c *conn, err error) {
	m := s.m
	if closedConn(err) {
		err = errLost
	}
	m.mu.Lock()
	current := s.conn == c && !m.closed
	if current {
		s.conn = nil
		s.state, s.lastErr = StateFailed, s.describe(err)
	}
	m.mu.Unlock()
	c.close()
	if !current {
		return
	}
	m.mu.Lock()
	if exit := c.exitStatus(); exit != "" && s.state == StateFailed && s.conn == nil {
		s.lastErr = s.describe(fmt.Errorf("%v (%s)", err, exit))
	}
	m.log.Warn("mcp server failed", "server", s.cfg.Name, "error", s.lastErr)
	m.mu.Unlock()
	m.changed()
}

// errLost is the failure of a server whose connection ended unasked.
var errLost = errors.New("the server exited or closed the connection")

// describe renders err with the end of the server's stderr.
func (s *server) describe(err error) string {
	msg := err.Error()
	if tail := s.stderr.lastLines(3); tail != "" && !strings.Contains(msg, tail) {
		msg += " (stderr: " + tail + ")"
	}
	return msg
}

// session returns a live connection, waiting for a start in progress. A
// failed server is restarted once, on the first call after the failure.
func (s *server) session(ctx context.Context) (*conn, error) {
	m := s.m
	for {
		m.mu.Lock()
		switch {
		case m.closed:
			m.mu.Unlock()
			return nil, errors.New("MCP servers are shut down")
		case s.state == StateReady:
			c := s.conn
			m.mu.Unlock()
			return c, nil
		case s.state == StateDisabled:
			m.mu.Unlock()
			return nil, fmt.Errorf("MCP server %s is disabled", s.cfg.Name)
		case s.state == StateFailed && s.restarted:
			err := fmt.Errorf("MCP server %s is not running (already restarted once): %s", s.cfg.Name, s.lastErr)
			m.mu.Unlock()
			return nil, err
		case s.state == StateFailed:
			s.restarted = true
			s.state = StateRestarting
			s.settled = make(chan struct{})
			m.log.Info("mcp server restarting", "server", s.cfg.Name)
			m.goStart(s)
			m.changed()
		}
		ch := s.settled
		m.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// usable reports whether the server's tools should be offered: it is
// ready, or it failed but a restart is still possible or under way.
// Manager.mu must be held.
func (s *server) usable() bool {
	switch s.state {
	case StateReady, StateRestarting:
		return true
	case StateFailed:
		return !s.restarted && (len(s.tools) > 0 || len(s.prompts) > 0)
	}
	return false
}
