package session

import (
	"context"
	"fmt"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/store"
)

// selectAgent picks the agent Options.Agent names, else chat.defaultAgent,
// else the default.
func (s *Session) selectAgent() *agentcfg.Agent {
	cfg, warnings := agentcfg.Select(agentcfg.Dirs(s.cwd, s.home), s.o.Agent, s.settings.String("chat.defaultAgent", ""))
	for _, w := range warnings {
		s.Warn("%s", w)
	}
	return cfg
}

// openModel resolves the session's model: Options.Model, then the model
// of the conversation --resume continues, then the agent's, then
// chat.defaultModel; the managed layer may forbid it.
func (s *Session) openModel(ctx context.Context, cfg *agentcfg.Agent, resumed *savedConversation) (Model, error) {
	ref := s.o.Model
	if ref == "" && resumed != nil {
		ref = resumed.conv.Model
	}
	if ref == "" {
		ref = cfg.Model
	}
	if ref == "" {
		ref = s.settings.String("chat.defaultModel", "")
	}
	if ref == "" {
		return Model{}, fmt.Errorf("%s", providers.HowToConfigure)
	}
	return s.OpenModel(ctx, ref)
}

// savedConversation is the conversation --resume continues.
type savedConversation struct {
	conv    *agent.Conversation
	updated time.Time
}

// resumable loads this directory's latest conversation for --resume; nil
// without --resume, or when there is none or it cannot be read (both said).
func (s *Session) resumable(ctx context.Context) (*savedConversation, error) {
	if !s.o.Resume {
		return nil, nil
	}
	saved, ok, err := s.store.LatestConversation(ctx, s.cwd)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.notify("No previous conversation in this directory; starting a new one.\n")
		return nil, nil
	}
	c, err := agent.Decode(saved.Data)
	if err != nil {
		s.Warn("the saved conversation could not be read (%v); starting a new one", err)
		return nil, nil
	}
	if c.Model == "" {
		c.Model = saved.Model
	}
	return &savedConversation{conv: c, updated: saved.Updated}, nil
}

// conversation continues resumed with model ref and the agent, or starts a
// new conversation when resumed is nil.
func (s *Session) conversation(resumed *savedConversation, ref, agentName string) *agent.Conversation {
	if resumed == nil {
		return agent.NewConversation(ref, agentName, s.cwd)
	}
	c := resumed.conv
	c.Model, c.Agent, c.Cwd = ref, agentName, s.cwd
	s.notify("Resumed the conversation of %s (%d messages).\n",
		resumed.updated.Local().Format("2006-01-02 15:04"), len(c.Messages))
	return c
}

// SaveConversation stores c as this directory's latest conversation.
func (s *Session) SaveConversation(c *agent.Conversation) error {
	data, err := c.Encode()
	if err != nil {
		return err
	}
	return s.store.SaveConversation(context.Background(), store.Conversation{ID: c.ID, Cwd: c.Cwd,
		Agent: c.Agent, Model: c.Model, Data: data, Updated: time.Now()})
}

// WaitMCP gives MCP servers up to the configured time to finish starting,
// so the first prompt sees their tools.
func (s *Session) WaitMCP(ctx context.Context, interactive bool) {
	m := s.MCP()
	if m == nil {
		return
	}
	key, def := "mcp.noInteractiveTimeout", 30000
	if interactive {
		key, def = "mcp.initTimeout", 5000
	}
	if !m.Wait(ctx, time.Duration(s.settings.Int(key, def))*time.Millisecond) {
		s.Warn("not all MCP servers loaded in time (/mcp shows them); configure the wait with q settings %s", key)
	}
}
