package session

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/notice"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/store"
)

// notices is the record of notices shown once per file version.
func notices() *notice.Store {
	return notice.Open(filepath.Join(paths.DataDir(), notice.FileName))
}

// chooseAgent loads the agent directories and picks the session's agent:
// Options.Agent (else Options.Profile), chat.defaultAgent, then the
// default. An agent whose file does not load is refused rather than
// replaced by another with other permissions: without interaction New fails
// naming the file and its problems; an interactive session says so before
// the first prompt and continues with the built-in agent with every tool
// asking (s.refused).
func (s *Session) chooseAgent() (*agentcfg.Agent, error) {
	s.offerMigration()
	name := s.o.Agent
	if name == "" {
		name = s.o.Profile
	}
	l := agentcfg.Load(agentcfg.Dirs(s.cwd, s.home))
	if name != "" && name == s.o.Profile {
		// --profile, the Q CLI's deprecated alias of --agent, may name a
		// legacy profile: it is loaded as it is, never replaced by another
		// agent or profile.
		if a, err := l.Lookup(name); err == nil && a == nil {
			if !legacyProfileExists(s.home, name) {
				return nil, fmt.Errorf("--profile %s: no agent or legacy profile of that name (q agent list shows the agents)", name)
			}
			s.legacyProfile = name
			s.notify("Using the legacy profile %s (%s) with the built-in agent; q agent migrate turns it into an agent.\n",
				name, filepath.Join(contextfiles.ProfilesDir(s.home), name))
			name = agentcfg.DefaultName
		}
	}
	cfg, warnings, err := agentcfg.Select(l, name, s.settings.String("chat.defaultAgent", ""))
	var invalid *agentcfg.InvalidAgentError
	errors.As(err, &invalid)
	for _, inv := range l.Invalid {
		if invalid == nil || inv.Path != invalid.File.Path {
			for _, line := range inv.Lines() {
				s.Warn("%s", line)
			}
		}
	}
	s.clashNotices(l)
	for _, w := range warnings {
		s.Warn("%s", w)
	}
	if err != nil {
		if s.o.NoInteractive || invalid == nil {
			return nil, err
		}
		s.notify("Error: %v\n", err)
		s.notify("This session uses the built-in agent %s instead, and every tool call asks. "+
			"Fix the file (q agent validate --path %s), then /agent swap %s.\n\n", agentcfg.DefaultName, invalid.File.Path, invalid.Name)
		s.refused = true
		// Without the agent the user chose, nothing runs unasked.
		s.launch.TrustToolsSet = true
		cfg = agentcfg.Default()
	}
	s.agentNotes(cfg)
	return cfg, nil
}

// clashNotices warns about agent names defined twice, once per version of
// the two files.
func (s *Session) clashNotices(l *agentcfg.Loaded) {
	rec := notices()
	for _, c := range l.Clashes {
		if rec.First(notice.Key("agent clash", c.Used.Path, c.Used.Digest, c.Ignored.Path, c.Ignored.Digest)) {
			s.Warn("%s", c.String())
		}
	}
}

// agentNotes shows what Parse noted about cfg's file (attributes qdev
// ignores), once per version of the file.
func (s *Session) agentNotes(cfg *agentcfg.Agent) {
	if len(cfg.Notes) == 0 || !notices().First(notice.Key("agent notes", cfg.Path, cfg.Digest)) {
		return
	}
	for _, n := range cfg.Notes {
		s.Warn("%s", n)
	}
}

// Welcome shows the active agent's welcomeMessage (a Kiro CLI field), as
// the file wrote it but with control characters visible; an interactive
// session shows it at its start and after /agent swap.
func (s *Session) Welcome() {
	if msg := strings.TrimSpace(s.Active().WelcomeMessage); msg != "" {
		s.notify("%s\n\n", termwidth.Visible(msg))
	}
}

// openModel resolves the session's model: Options.Model, then the model
// of the conversation --resume continues, then the agent's, then
// chat.defaultModel; the managed layer may forbid it. The agent's model is
// read as --model reads it (PROVIDER/MODEL or a Q CLI name); an agent
// model that cannot be used (unknown, not allowed, its provider not
// available) is warned about once and chat.defaultModel used instead, as
// the Q CLI falls back for an unknown agent model. --model never falls
// back: the user asked for exactly that one.
func (s *Session) openModel(ctx context.Context, cfg *agentcfg.Agent, resumed *savedConversation) (Model, error) {
	if s.o.Model != "" {
		return s.OpenModel(ctx, s.o.Model)
	}
	if resumed != nil && resumed.conv.Model != "" {
		return s.OpenModel(ctx, resumed.conv.Model)
	}
	def := s.settings.String("chat.defaultModel", "")
	if cfg.Model != "" {
		m, err := s.OpenModel(ctx, cfg.Model)
		if err == nil {
			return m, nil
		}
		if def == "" {
			return Model{}, fmt.Errorf("agent %s: model %q cannot be used (%v), and chat.defaultModel is not set; %s",
				cfg.Name, cfg.Model, err, providers.HowToConfigure)
		}
		s.Warn("agent %s: model %q cannot be used (%v); using chat.defaultModel %s", cfg.Name, cfg.Model, err, def)
	}
	if def == "" {
		return Model{}, fmt.Errorf("%s", providers.HowToConfigure)
	}
	return s.OpenModel(ctx, def)
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
