package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// emptySchema is offered for a tool whose server sent no input schema.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// Tools returns the tools of the servers that are ready (or failed but due
// for their one restart), in configuration order. The list changes as
// servers load; call it again before each model request.
func (m *Manager) Tools() []tool.Tool {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []tool.Tool
	if m.closed {
		return nil
	}
	for _, s := range m.servers {
		if !s.usable() {
			continue
		}
		for _, e := range s.tools {
			schema, err := json.Marshal(e.schema)
			if err != nil || e.schema == nil || !bytes.HasPrefix(bytes.TrimSpace(schema), []byte("{")) {
				schema = emptySchema
			}
			out = append(out, &mcpTool{s: s, spec: model.ToolSpec{Name: e.model, Description: e.description, InputSchema: schema}, host: e.host})
		}
	}
	return out
}

// mcpTool is one server tool presented as a tool.Tool. It implements
// agent.Server, so permissions and hooks see it as @server/tool.
type mcpTool struct {
	s    *server
	spec model.ToolSpec
	host string
}

// Spec returns the model-facing name, description and input schema.
func (t *mcpTool) Spec() model.ToolSpec { return t.spec }

// Server returns the server name and the server's own name for the tool.
func (t *mcpTool) Server() (server, hostTool string) { return t.s.cfg.Name, t.host }

// Prepare checks that input is a JSON object; the server validates the rest.
func (t *mcpTool) Prepare(_ *tool.Env, input json.RawMessage) (tool.Invocation, error) {
	trimmed := bytes.TrimSpace(input)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		trimmed = []byte("{}")
	}
	var args map[string]json.RawMessage
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &args) != nil {
		return nil, fmt.Errorf("the input of %s must be a JSON object", t.spec.Name)
	}
	return &invocation{t: t, args: json.RawMessage(trimmed)}, nil
}

type invocation struct {
	t    *mcpTool
	args json.RawMessage
}

// Access reports nothing: what an MCP tool touches is unknown to qdev.
func (inv *invocation) Access() tool.Access { return tool.Access{} }

// Describe names the server and tool and shows the arguments.
func (inv *invocation) Describe(w io.Writer, color bool) {
	name, server := inv.t.host, inv.t.s.cfg.Name
	if color {
		name, server = "\x1b[1m"+name+"\x1b[0m", "\x1b[1m"+server+"\x1b[0m"
	}
	fmt.Fprintf(w, "Running %s from MCP server %s\n", name, server)
	var pretty bytes.Buffer
	if string(inv.args) != "{}" && json.Indent(&pretty, inv.args, "  ", "  ") == nil {
		fmt.Fprintf(w, "  arguments: %s\n", pretty.String())
	}
}

// Run calls the tool, bounded by the server's timeout. Every failure,
// including a crashed or hung server, becomes an error result.
func (inv *invocation) Run(ctx context.Context, out io.Writer) tool.Result {
	start := time.Now()
	res, err := inv.t.s.callTool(ctx, inv.t.host, inv.args, out)
	var r tool.Result
	if err != nil {
		r = tool.ErrorResult(fmt.Sprintf("MCP tool %s (server %s) failed: %v", inv.t.host, inv.t.s.cfg.Name, err))
	} else {
		r = tool.Result{Content: toolContent(res), IsError: res.IsError}
		for _, b := range r.Content {
			r.OutputBytes += int64(len(b.Text) + len(b.Data))
		}
	}
	r.Duration = time.Since(start)
	return r
}

// callTool sends tools/call. A timeout or a broken connection marks the
// server failed (it is stopped, and restarted once on the next call); an
// error the server itself answered leaves it running.
func (s *server) callTool(ctx context.Context, name string, args json.RawMessage, out io.Writer) (*sdk.CallToolResult, error) {
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	params := &sdk.CallToolParams{Name: name, Arguments: args}
	if token, done := s.progressWriter(out); token != "" {
		params.SetProgressToken(token)
		defer done()
	}
	res, err := c.session.CallTool(cctx, params)
	if err == nil {
		return res, nil
	}
	return nil, s.requestFailed(ctx, cctx, c, err)
}

// requestFailed classifies the error of a request on c and returns what the
// caller should report.
func (s *server) requestFailed(ctx, cctx context.Context, c *conn, err error) error {
	var rpcErr *jsonrpc.Error
	switch {
	case ctx.Err() != nil:
		// The user cancelled; the server is fine (the SDK sends notifications/cancelled).
		return ctx.Err()
	case errors.As(err, &rpcErr):
		return fmt.Errorf("server error %d: %s", rpcErr.Code, rpcErr.Message)
	case errors.Is(cctx.Err(), context.DeadlineExceeded):
		err = fmt.Errorf("no answer within %s (the server's timeout); the server was stopped", s.cfg.Timeout)
	}
	s.fail(c, err)
	s.m.mu.Lock()
	msg := s.lastErr
	if msg == "" {
		msg = err.Error()
	}
	s.m.mu.Unlock()
	return errors.New(msg)
}
