package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/notice"
	"github.com/qdev/qdev/internal/paths"
)

// notices is the record of notices shown once per file version.
func notices() *notice.Store {
	return notice.Open(filepath.Join(paths.DataDir(), notice.FileName))
}

// chooseAgent loads the agent directories and picks the session's agent:
// --agent (or --profile), chat.defaultAgent, then the default. An agent
// whose file does not load is refused rather than replaced by another with
// other permissions: --no-interactive fails naming the file and its
// problems; an interactive session says so before the first prompt and
// continues with the built-in agent with every tool asking (s.refused).
func (s *setup) chooseAgent() (*agentcfg.Agent, error) {
	s.offerMigration()
	name := s.o.agent
	if name == "" {
		name = s.o.profile
	}
	l := agentcfg.Load(agentcfg.Dirs(s.cwd, s.home))
	if name != "" && name == s.o.profile {
		// --profile, the Q CLI's deprecated alias of --agent, may name a
		// legacy profile: it is loaded as it is, never replaced by another
		// agent or profile.
		if a, err := l.Lookup(name); err == nil && a == nil {
			if !legacyProfileExists(s.home, name) {
				return nil, fmt.Errorf("--profile %s: no agent or legacy profile of that name (q agent list shows the agents)", name)
			}
			s.legacyProfile = name
			fmt.Fprintf(s.o.io.ErrOut, "Using the legacy profile %s (%s) with the built-in agent; q agent migrate turns it into an agent.\n",
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
				s.warn("%s", line)
			}
		}
	}
	s.clashNotices(l)
	for _, w := range warnings {
		s.warn("%s", w)
	}
	if err != nil {
		if s.o.noInteractive {
			return nil, err
		}
		fmt.Fprintf(s.o.io.ErrOut, "Error: %v\n", err)
		fmt.Fprintf(s.o.io.ErrOut, "This session uses the built-in agent %s instead, and every tool call asks. "+
			"Fix the file (q agent validate --path %s), then /agent swap %s.\n\n", agentcfg.DefaultName, invalid.File.Path, invalid.Name)
		s.refused = true
		cfg = agentcfg.Default()
	}
	s.agentNotes(cfg)
	return cfg, nil
}

// clashNotices warns about agent names defined twice, once per version of
// the two files.
func (s *setup) clashNotices(l *agentcfg.Loaded) {
	rec := notices()
	for _, c := range l.Clashes {
		if rec.First(notice.Key("agent clash", c.Used.Path, c.Used.Digest, c.Ignored.Path, c.Ignored.Digest)) {
			s.warn("%s", c.String())
		}
	}
}

// agentNotes shows what Parse noted about cfg's file (attributes qdev
// ignores), once per version of the file.
func (s *setup) agentNotes(cfg *agentcfg.Agent) {
	if len(cfg.Notes) == 0 || !notices().First(notice.Key("agent notes", cfg.Path, cfg.Digest)) {
		return
	}
	for _, n := range cfg.Notes {
		s.warn("%s", n)
	}
}

// welcome shows the active agent's welcomeMessage (a Kiro CLI field) at
// the start of an interactive session, as the file wrote it but with
// control characters visible.
func (s *setup) welcome(isTTY bool) {
	if msg := strings.TrimSpace(s.cfg.WelcomeMessage); msg != "" && isTTY {
		fmt.Fprintf(s.o.io.ErrOut, "%s\n\n", termwidth.Visible(msg))
	}
}

// openModel resolves the session's model: --model, then the model of the
// conversation --resume continues, then the agent's, then
// chat.defaultModel; the managed layer may forbid it. The agent's model is
// read as --model reads it (PROVIDER/MODEL or a Q CLI name); an agent
// model that cannot be used (unknown, not allowed, its provider not
// available) is warned about once and chat.defaultModel used instead, as
// the Q CLI falls back for an unknown agent model. --model never falls
// back: the user asked for exactly that one.
func (s *setup) openModel(ctx context.Context, cfg *agentcfg.Agent, resumed *savedConversation) (string, model.Provider, string, error) {
	if s.o.model != "" {
		return s.openRef(ctx, s.o.model)
	}
	if resumed != nil && resumed.conv.Model != "" {
		return s.openRef(ctx, resumed.conv.Model)
	}
	def := s.settings.String("chat.defaultModel", "")
	if cfg.Model != "" {
		ref, p, id, err := s.openRef(ctx, cfg.Model)
		if err == nil {
			return ref, p, id, nil
		}
		if def == "" {
			return "", nil, "", fmt.Errorf("agent %s: model %q cannot be used (%v), and chat.defaultModel is not set; %s",
				cfg.Name, cfg.Model, err, providers.HowToConfigure)
		}
		s.warn("agent %s: model %q cannot be used (%v); using chat.defaultModel %s", cfg.Name, cfg.Model, err, def)
	}
	if def == "" {
		return "", nil, "", fmt.Errorf("%s", providers.HowToConfigure)
	}
	return s.openRef(ctx, def)
}

// openRef opens one model reference the managed layer allows.
func (s *setup) openRef(ctx context.Context, ref string) (string, model.Provider, string, error) {
	if err := s.checkModel(ref); err != nil {
		return "", nil, "", err
	}
	p, id, err := providers.Open(ctx, ref, s.providerOptions())
	if err != nil {
		return "", nil, "", err
	}
	return ref, p, id, nil
}
