package mcp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// clientOptions returns the SDK client options of s: no client capabilities
// (the Q CLI offers no roots, sampling or elicitation, so servers such as
// server-filesystem keep the directories they were given), and handlers
// for the notifications the Q CLI acts on.
func (s *server) clientOptions() *sdk.ClientOptions {
	return &sdk.ClientOptions{
		Logger:       s.m.log.With("server", s.cfg.Name),
		Capabilities: &sdk.ClientCapabilities{},
		ToolListChangedHandler: func(ctx context.Context, req *sdk.ToolListChangedRequest) {
			go s.relist(req.Session)
		},
		PromptListChangedHandler: func(ctx context.Context, req *sdk.PromptListChangedRequest) {
			go s.relistPrompts(req.Session)
		},
		// Logging is deprecated only from protocol 2026-07-28; servers of the
		// version we speak use it, and the Q CLI sends it to its log.
		//lint:ignore SA1019 see above
		LoggingMessageHandler: func(_ context.Context, req *sdk.LoggingMessageRequest) {
			p := req.Params
			s.m.log.Log(context.Background(), logLevel(p.Level), "mcp server log", "server", s.cfg.Name, "logger", p.Logger, "data", p.Data)
		},
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			s.m.mu.Lock()
			sink := s.progress[fmt.Sprint(req.Params.ProgressToken)]
			s.m.mu.Unlock()
			if sink == nil {
				return
			}
			p := req.Params
			line := fmt.Sprintf("progress %g", p.Progress)
			if p.Total > 0 {
				line = fmt.Sprintf("progress %g/%g", p.Progress, p.Total)
			}
			if p.Message != "" {
				line += ": " + p.Message
			}
			sink.println(line)
		},
	}
}

// relist fetches the tool list again after notifications/tools/list_changed.
func (s *server) relist(session *sdk.ClientSession) {
	ctx, cancel := context.WithTimeout(s.m.ctx, s.cfg.Timeout)
	defer cancel()
	var tools []rawTool
	for t, err := range session.Tools(ctx, nil) {
		if err != nil {
			s.m.log.Warn("mcp tools/list after list_changed failed", "server", s.cfg.Name, "error", err)
			return
		}
		tools = append(tools, rawTool{name: t.Name, description: t.Description, schema: t.InputSchema})
	}
	s.m.mu.Lock()
	if s.conn == nil || s.conn.session != session {
		s.m.mu.Unlock()
		return
	}
	s.setTools(tools)
	s.m.mu.Unlock()
	s.m.changed()
}

// relistPrompts fetches the prompt list again after prompts/list_changed.
func (s *server) relistPrompts(session *sdk.ClientSession) {
	ctx, cancel := context.WithTimeout(s.m.ctx, s.cfg.Timeout)
	defer cancel()
	var prompts []*sdk.Prompt
	for p, err := range session.Prompts(ctx, nil) {
		if err != nil {
			s.m.log.Warn("mcp prompts/list after list_changed failed", "server", s.cfg.Name, "error", err)
			return
		}
		prompts = append(prompts, p)
	}
	s.m.mu.Lock()
	if s.conn != nil && s.conn.session == session {
		s.prompts = prompts
	}
	s.m.mu.Unlock()
}

// logLevel maps MCP's syslog-style levels onto slog's four, as the Q CLI
// maps them onto tracing's.
//
//lint:ignore SA1019 servers of the protocol version we speak still log
func logLevel(l sdk.LoggingLevel) slog.Level {
	switch l {
	case "emergency", "alert", "critical", "error":
		return slog.LevelError
	case "warning":
		return slog.LevelWarn
	case "info", "notice":
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// progressSink is the live output of one call. Notifications arrive on the
// SDK's goroutine, so writes stop for good once the call has returned.
type progressSink struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (p *progressSink) println(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		fmt.Fprintln(p.w, line)
	}
}

// progressWriter registers out for progress notifications of one call and
// returns its token ("" when out discards) and a function that unregisters it.
func (s *server) progressWriter(out io.Writer) (token string, done func()) {
	if out == nil || out == io.Discard {
		return "", func() {}
	}
	sink := &progressSink{w: out}
	s.m.mu.Lock()
	s.m.seq++
	token = fmt.Sprintf("qdev-%d", s.m.seq)
	s.progress[token] = sink
	s.m.mu.Unlock()
	return token, func() {
		s.m.mu.Lock()
		delete(s.progress, token)
		s.m.mu.Unlock()
		sink.mu.Lock()
		sink.closed = true
		sink.mu.Unlock()
	}
}
