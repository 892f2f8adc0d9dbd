package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
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
	name := s.o.agent
	if name == "" {
		name = s.o.profile
	}
	l := agentcfg.Load(agentcfg.Dirs(s.cwd, s.home))
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
