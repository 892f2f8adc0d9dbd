package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/audit/calls"
	"github.com/qdev/qdev/internal/chat"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/store"
)

// Session is one chat session: its Builder (the layers every agent of it
// runs under), the agent, the stored conversation and history, and the
// active agent file's MCP servers and hooks. It implements chat.Workspace.
type Session struct {
	*Builder
	o        Options
	closeLog func() error
	store    *store.Store
	agent    *agent.Agent
	// recorder puts the agent's calls on the audit trail.
	recorder *calls.Recorder
	// started is set once the first agent is loaded: later loads do not
	// ask about workspace trust.
	started bool
	// refused is set when the chosen agent's file is invalid and the
	// session runs with the built-in agent instead (chooseAgent).
	refused bool
	// resources are MCP resources attached to the context (/mcp attach).
	resources []string
	// knowledge is the active agent's knowledge bases (/knowledge).
	knowledge knowledgeState

	// childMu guards asm (its MCP servers and hooks) and exiting, which
	// KillChildren reads from a signal handler's goroutine.
	childMu sync.Mutex
	asm     *Assembly
	exiting bool

	// warnMu guards errOut and warned: hooks and MCP servers warn from
	// their own goroutines.
	warnMu sync.Mutex
	errOut io.Writer
	warned map[string]bool
}

var _ chat.Workspace = (*Session)(nil)

// New builds the session o describes: it loads the settings, the managed
// layer and the agent, opens the model, the store and the audit trail,
// sets up the sandbox, starts the agent's MCP servers and hooks (after the
// workspace gate) and returns the session ready for its first turn. The
// caller must Close it.
func New(ctx context.Context, o Options) (*Session, error) {
	return build(o, func(s *Session) error { return s.buildFull(ctx) })
}

// NewBare builds the part of a session that one command run on the
// user's behalf needs (q translate): the default agent's model and
// permissions, the sandbox and the audit trail, without MCP servers,
// hooks, a stored conversation or questions (a workspace agent file's
// grants apply only if the workspace is already trusted).
func NewBare(ctx context.Context, o Options) (*Session, error) {
	o.NoInteractive = true
	return build(o, func(s *Session) error {
		s.started = true
		return s.buildBare(ctx)
	})
}

// build loads what every session needs first, then lets rest build the
// remainder; on failure whatever was opened is closed again.
func build(o Options, rest func(*Session) error) (*Session, error) {
	s := newSession(o)
	err := s.loadBase()
	if err == nil {
		err = rest(s)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) buildFull(ctx context.Context) error {
	cfg, err := s.chooseAgent()
	if err != nil {
		return err
	}
	// Open creates the data directory (0700) when it is missing.
	if s.store, err = store.Open(filepath.Join(paths.DataDir(), store.FileName)); err != nil {
		return err
	}
	resumed, err := s.resumable(ctx)
	if err != nil {
		return err
	}
	m, err := s.openModel(ctx, cfg, resumed)
	if err != nil {
		return err
	}
	if err := s.checkLaunch(cfg); err != nil {
		return err
	}
	conv := s.conversation(resumed, m.Ref, cfg.Name)
	if s.recorder, err = s.openAudit(conv); err != nil {
		return err
	}
	if err := s.toolEnv(conv.Transcript); err != nil {
		return err
	}
	if s.o.TrustWorkspace {
		s.trustWorkspace()
	}
	asm := s.activate(ctx, cfg)
	opts := s.AgentOptions(asm.Kit, m, conv, s.recorder)
	opts.Save = s.SaveConversation
	s.agent = agent.New(opts)
	s.equip(asm)
	s.started = true
	return nil
}

func (s *Session) buildBare(ctx context.Context) error {
	cfg, err := s.chooseAgent()
	if err != nil {
		return err
	}
	m, err := s.openModel(ctx, cfg, nil)
	if err != nil {
		return err
	}
	cfg, _, blocked := s.gated(cfg)
	conv := agent.NewConversation(m.Ref, cfg.Name, s.cwd)
	if s.recorder, err = s.openAudit(conv); err != nil {
		return err
	}
	if err := s.toolEnv(func() string { return "" }); err != nil {
		return err
	}
	perms, err := s.Permissions(cfg, blocked)
	if err != nil {
		return err
	}
	s.agent = agent.New(s.AgentOptions(agent.Kit{Permissions: perms}, m, conv, s.recorder))
	return nil
}

func newSession(o Options) *Session {
	s := &Session{o: o, errOut: o.ErrOut}
	s.Builder = &Builder{launch: o.Permissions, warn: s.Warn, gate: s.gateWorkspace}
	return s
}

// checkLaunch stops q when launch flags would trust every tool against the
// organisation's disableTrustAll, with the reason, rather than later.
func (s *Session) checkLaunch(cfg *agentcfg.Agent) error {
	if s.launch.TrustAll {
		if ok, rule := s.managed.TrustAllAllowed(); !ok {
			return fmt.Errorf("--trust-all-tools is not allowed: %s", managed.Blocked(rule))
		}
	}
	_, _, err := permission.New(s.permConfig(cfg, false), s.launch)
	return err
}

// Close waits for the conversation's and the audit trail's last writes,
// stops the MCP servers and hooks, and closes the store, the trail and the
// log.
func (s *Session) Close() {
	s.closeKnowledge()
	if s.agent != nil {
		s.agent.Flush()
	}
	if s.recorder != nil {
		s.recorder.Flush()
	}
	s.KillChildren()
	if s.trail != nil {
		_ = s.trail.Close()
	}
	if s.store != nil {
		s.store.Close()
	}
	if s.closeLog != nil {
		_ = s.closeLog()
	}
}

// setAssembly makes asm the active agent file's assembly. A signal handler
// may be killing the session's children at the same moment: what arrives
// after that is stopped at once.
func (s *Session) setAssembly(asm *Assembly) {
	s.childMu.Lock()
	s.asm = asm
	exiting := s.exiting
	s.childMu.Unlock()
	if exiting {
		asm.Close()
	}
}

// KillChildren stops every hook and MCP server the session started,
// process groups included: when q exits nothing it started may remain.
// It may run on a signal handler's goroutine.
func (s *Session) KillChildren() {
	s.childMu.Lock()
	s.exiting = true
	asm := s.asm
	s.childMu.Unlock()
	asm.Close()
}

// Warn prints a warning once per session.
func (s *Session) Warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	if s.warned[msg] {
		return
	}
	s.warned[msg] = true
	// Warnings carry hook output and file contents: show them exactly.
	fmt.Fprintf(s.errOut, "Warning: %s\n", termwidth.Visible(msg))
}

// notify prints a notice (not a warning) where warnings go.
func (s *Session) notify(format string, args ...any) {
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	fmt.Fprintf(s.errOut, format, args...)
}

// SetErrOut sends warnings and notices to w from now on and returns where
// they went before (an interactive session routes them through its
// console).
func (s *Session) SetErrOut(w io.Writer) io.Writer {
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	prev := s.errOut
	s.errOut = w
	return prev
}

// Agent is the session's agent.
func (s *Session) Agent() *agent.Agent { return s.agent }

// Store is where the conversation and the prompt history are kept; nil in
// a bare session.
func (s *Session) Store() *store.Store { return s.store }

// Options are what the front end decided for a session: its command line
// as values, and where the session talks to the user.
type Options struct {
	// In is where the answer to the workspace trust question at start is
	// read; the question is asked only when In is a terminal.
	In *os.File
	// ErrOut receives warnings and notices; SetErrOut redirects them.
	ErrOut io.Writer
	// Verbose is the log level, as counted -v flags.
	Verbose int
	// NoInteractive says nobody can answer questions (--no-interactive).
	NoInteractive bool
	// Resume continues this directory's latest conversation.
	Resume bool
	// Agent names the agent to use; "" for Profile, chat.defaultAgent or
	// the default agent.
	Agent string
	// Profile is the Q CLI's deprecated --profile: an agent's name, or a
	// legacy profile's, used with the built-in agent.
	Profile string
	// Model is the "provider/model" to use; "" for the conversation's, the
	// agent's or chat.defaultModel.
	Model string
	// Permissions are the launch flags that trust or untrust tools.
	Permissions permission.Options
	// TrustWorkspace records the hooks, MCP servers and permission grants
	// the workspace configures as trusted at start (--trust-workspace).
	TrustWorkspace bool
}
