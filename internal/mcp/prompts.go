package mcp

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/model"
)

// Prompt is a prompt a server offers (for /prompts list and @name).
type Prompt struct {
	Server      string
	Name        string
	Description string
	Arguments   []PromptArgument
}

// PromptArgument is one declared argument of a prompt, in declared order.
type PromptArgument struct {
	Name        string
	Description string
	Required    bool
}

// Prompts lists the prompts of the servers in use, asking each ready server
// again (bounded by its timeout) and falling back to the list it gave at
// start-up when that fails. A failed server keeps its prompts while its
// restart is due, so that using one restarts it. The result is sorted by
// name, then server.
func (m *Manager) Prompts(ctx context.Context) []Prompt {
	var out []Prompt
	for _, s := range m.snapshot() {
		m.mu.Lock()
		c, cached := s.conn, s.prompts
		ready, usable := s.state == StateReady, s.usable()
		m.mu.Unlock()
		if !usable {
			continue
		}
		if caps := capabilities(c, ready); caps != nil && caps.Prompts != nil {
			if fresh, err := listPrompts(ctx, c, s.cfg.Timeout); err == nil {
				cached = fresh
				m.mu.Lock()
				if s.conn == c {
					s.prompts = fresh
				}
				m.mu.Unlock()
			} else {
				m.log.Warn("mcp prompts/list failed", "server", s.cfg.Name, "error", err)
			}
		}
		for _, p := range cached {
			out = append(out, convertPrompt(s.cfg.Name, p))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Server < out[j].Server
	})
	return out
}

// capabilities returns what a ready server advertised, nil otherwise.
func capabilities(c *conn, ready bool) *sdk.ServerCapabilities {
	if !ready || c == nil {
		return nil
	}
	return c.session.InitializeResult().Capabilities
}

func listPrompts(ctx context.Context, c *conn, timeout time.Duration) ([]*sdk.Prompt, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out []*sdk.Prompt
	for p, err := range c.session.Prompts(ctx, nil) {
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func convertPrompt(server string, p *sdk.Prompt) Prompt {
	out := Prompt{Server: server, Name: p.Name, Description: p.Description}
	for _, a := range p.Arguments {
		if a != nil {
			out.Arguments = append(out.Arguments, PromptArgument{Name: a.Name, Description: a.Description, Required: a.Required})
		}
	}
	return out
}

// GetPrompt fetches prompt name ("prompt" or "server/prompt") with args
// given positionally, mapped to the prompt's declared arguments in order
// (so "@fetch https://example.com" fills fetch's first argument). It returns
// the prompt's messages for the conversation.
func (m *Manager) GetPrompt(ctx context.Context, name string, args []string) ([]model.Message, error) {
	p, err := m.findPrompt(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(args) > len(p.Arguments) {
		return nil, fmt.Errorf("prompt %s takes %d argument(s)%s, got %d", p.Name, len(p.Arguments), argList(p.Arguments), len(args))
	}
	params := &sdk.GetPromptParams{Name: p.Name, Arguments: map[string]string{}}
	var missing []string
	for i, a := range p.Arguments {
		if i < len(args) {
			params.Arguments[a.Name] = args[i]
		} else if a.Required {
			missing = append(missing, a.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("prompt %s is missing required argument(s) %s; usage: @%s%s", p.Name, strings.Join(missing, ", "), p.Name, usageArgs(p.Arguments))
	}
	s := m.lookup(p.Server)
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := c.session.GetPrompt(cctx, params)
	if err != nil {
		return nil, fmt.Errorf("prompt %s (server %s): %w", p.Name, p.Server, s.requestFailed(ctx, cctx, c, err))
	}
	var out []model.Message
	for _, msg := range res.Messages {
		if msg == nil || msg.Content == nil {
			continue
		}
		role := model.User
		if msg.Role == "assistant" {
			role = model.Assistant
		}
		out = append(out, model.Message{Role: role, Content: []model.Block{contentBlock(msg.Content)}})
	}
	return out, nil
}

// findPrompt resolves name; a name offered by several servers must be
// qualified with its server, as in the Q CLI.
func (m *Manager) findPrompt(ctx context.Context, name string) (Prompt, error) {
	var found []Prompt
	for _, p := range m.Prompts(ctx) {
		if p.Name == name || p.Server+"/"+p.Name == name {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return Prompt{}, fmt.Errorf("no MCP prompt named %q (see /prompts list)", name)
	case 1:
		return found[0], nil
	}
	var alts []string
	for _, p := range found {
		alts = append(alts, "@"+p.Server+"/"+p.Name)
	}
	return Prompt{}, fmt.Errorf("prompt %q is offered by several servers; use one of %s", name, strings.Join(alts, ", "))
}

func argList(args []PromptArgument) string {
	if len(args) == 0 {
		return ""
	}
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Name
	}
	return " (" + strings.Join(names, ", ") + ")"
}

func usageArgs(args []PromptArgument) string {
	var b strings.Builder
	for _, a := range args {
		if a.Required {
			fmt.Fprintf(&b, " <%s>", a.Name)
		} else {
			fmt.Fprintf(&b, " [%s]", a.Name)
		}
	}
	return b.String()
}
