package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/attribution"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/hook"
	"github.com/qdev/qdev/internal/logging"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/store"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/version"
)

// setup is a chat session's assembled parts. It also implements
// chat.Workspace, so /agent swap can rebuild what depends on the agent.
type setup struct {
	o         *chatOptions
	settings  *settings.Settings
	managed   *managed.Settings
	log       *slog.Logger
	closeLog  func() error
	store     *store.Store
	trail     *audit.Trail
	cwd, home string
	env       *tool.Env
	popts     permission.Options
	agent     *agent.Agent
	// attribution, when the organisation configures a role, supplies the
	// credentials of AI-initiated AWS calls.
	attribution *attribution.Provider
	// auditPending is closed when the last audit record is durable.
	auditPending chan struct{}
	// intent is the running call whose outcome is still to be recorded.
	intent openIntent

	// What the active agent configures; replaced by applyAgent.
	cfg    *agentcfg.Agent
	legacy *contextfiles.LegacyContext
	hooks  *hook.Runner
	mcp    *mcp.Manager
	// agentBlocked is set when the workspace gate held back the agent
	// file's hooks and permission grants (see gateWorkspace).
	agentBlocked bool
	// started is set once the first agent is loaded: later loads do not
	// ask about workspace trust.
	started bool
	// childMu guards the writes of mcp and hooks and exiting, which
	// killChildren reads from the signal handler's goroutine.
	childMu sync.Mutex
	exiting bool
	// resources are MCP resources attached to the context (/mcp attach).
	resources []string
	// knowledge is the active agent's knowledge bases (/knowledge).
	knowledge knowledgeState

	warnMu sync.Mutex
	warned map[string]bool
}

func (s *setup) close() {
	s.closeKnowledge()
	if s.agent != nil {
		s.agent.Flush()
	}
	s.flushAudit()
	s.killChildren()
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

// setChildren makes m and h the session's MCP servers and hooks. The
// signal handler may be killing them at the same moment: what arrives
// after that is stopped at once.
func (s *setup) setChildren(m *mcp.Manager, h *hook.Runner) {
	s.childMu.Lock()
	s.mcp, s.hooks = m, h
	exiting := s.exiting
	s.childMu.Unlock()
	if exiting {
		s.killChildren()
	}
}

// killChildren stops every hook and MCP server the session started,
// process groups included: when q exits nothing it started may remain.
// It may run on the signal handler's goroutine.
func (s *setup) killChildren() {
	s.childMu.Lock()
	s.exiting = true
	m, h := s.mcp, s.hooks
	s.childMu.Unlock()
	if h != nil {
		h.Close()
	}
	if m != nil {
		m.Close()
	}
}

// warn prints a warning once per session.
func (s *setup) warn(format string, args ...any) {
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
	fmt.Fprintf(s.o.io.ErrOut, "Warning: %s\n", termwidth.Visible(msg))
}

func newSetup(ctx context.Context, o *chatOptions) (*setup, error) {
	s := &setup{o: o}
	var err error
	if s.settings, err = loadSettings(); err != nil {
		return nil, err
	}
	// A managed layer that cannot be read fails closed: no session at all.
	if s.managed, err = managed.Load(); err != nil {
		return nil, err
	}
	if s.log, s.closeLog, err = logging.Setup(o.global.verbose); err != nil {
		return nil, err
	}
	if s.cwd, err = os.Getwd(); err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	s.home = paths.Home()

	name := o.agent
	if name == "" {
		name = o.profile
	}
	cfg, warnings := agentcfg.Select(agentcfg.Dirs(s.cwd, s.home), name, s.settings.String("chat.defaultAgent", ""))
	for _, w := range warnings {
		s.warn("%s", w)
	}

	ref, provider, modelID, err := s.openModel(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if o.trustAll {
		if ok, rule := s.managed.TrustAllAllowed(); !ok {
			return nil, fmt.Errorf("--trust-all-tools is not allowed: %s", managed.Blocked(rule))
		}
	}
	s.popts = permission.Options{TrustAll: o.trustAll, UntrustFsRead: o.untrustFsRead}
	if o.trustToolsSet {
		s.popts.TrustToolsSet = true
		for _, t := range strings.Split(o.trustTools, ",") {
			if t = strings.TrimSpace(t); t != "" {
				s.popts.TrustTools = append(s.popts.TrustTools, t)
			}
		}
	}
	// Launch flags that would trust every tool against disableTrustAll
	// stop q here, with the reason, rather than later.
	if _, _, err := permission.New(s.permConfig(cfg), s.popts); err != nil {
		return nil, err
	}

	dataDir := paths.DataDir()
	// Open creates the data directory (0700) when it is missing.
	if s.store, err = store.Open(filepath.Join(dataDir, store.FileName)); err != nil {
		return nil, err
	}
	conv, err := s.conversation(ctx, ref, cfg.Name)
	if err != nil {
		return nil, err
	}
	if err := s.openAudit(); err != nil {
		return nil, err
	}
	sandbox, err := s.sandbox()
	if err != nil {
		return nil, err
	}
	s.env = &tool.Env{Cwd: s.cwd, Environ: tool.ChildEnv(os.Environ(), version.Version), DataDir: dataDir,
		Version: version.Version, Transcript: conv.Transcript, Sandbox: sandbox}
	if arn := s.managed.AWSAttributionRole(); arn != "" {
		// AI-initiated AWS calls run as the attribution role, tagged with
		// who asked; if STS fails they do not run at all.
		s.attribution = attribution.New(arn, attribution.Options{Environ: os.Environ()})
		s.env.Credentials = s.attribution.Environ
	}

	autoPct := s.settings.Int("chat.autoCompactPercent", 80)
	if s.settings.Bool("chat.disableAutoCompaction", false) {
		autoPct = 0
	}
	s.agent = &agent.Agent{
		Config: agent.Config{Provider: provider, ModelID: modelID, Env: s.env, Window: s.window(modelID),
			AutoCompactPercent: autoPct, Log: s.log, Audit: s.record, AuditReady: s.auditReady},
		Conv: conv,
		Save: s.saveConversation,
	}
	if o.trustWorkspace {
		s.trustWorkspace()
	}
	s.applyAgent(ctx, cfg)
	s.started = true
	return s, nil
}

// openModel resolves the session's model: --model, then the agent's, then
// chat.defaultModel; the managed layer may forbid it.
func (s *setup) openModel(ctx context.Context, cfg *agentcfg.Agent) (ref string, p model.Provider, id string, err error) {
	ref = s.o.model
	if ref == "" {
		ref = cfg.Model
	}
	if ref == "" {
		ref = s.settings.String("chat.defaultModel", "")
	}
	if ref == "" {
		return "", nil, "", fmt.Errorf("%s", providers.HowToConfigure)
	}
	if err := s.checkModel(ref); err != nil {
		return "", nil, "", err
	}
	p, id, err = providers.Open(ctx, ref)
	return ref, p, id, err
}

// checkModel applies the managed allowedModels to a model reference, with
// Q CLI model names expanded to what they really are.
func (s *setup) checkModel(ref string) error {
	prov, id, err := providers.Split(ref)
	if err != nil {
		return err
	}
	if ok, rule := s.managed.ModelAllowed(prov + "/" + id); !ok {
		return fmt.Errorf("model %s is not allowed: %s", ref, managed.Blocked(rule))
	}
	return nil
}

// window is the context window for a model: the chat.contextWindow setting
// when set, else what the model family is known to accept.
func (s *setup) window(modelID string) int {
	if w := s.settings.Int("chat.contextWindow", 0); w > 0 {
		return w
	}
	return model.ContextWindow(modelID)
}

// conversation resumes this directory's conversation with --resume, or
// starts a new one.
func (s *setup) conversation(ctx context.Context, ref, agentName string) (*agent.Conversation, error) {
	if !s.o.resume {
		return agent.NewConversation(ref, agentName, s.cwd), nil
	}
	saved, ok, err := s.store.LatestConversation(ctx, s.cwd)
	if err != nil {
		return nil, err
	}
	if !ok {
		fmt.Fprintln(s.o.io.ErrOut, "No previous conversation in this directory; starting a new one.")
		return agent.NewConversation(ref, agentName, s.cwd), nil
	}
	c, err := agent.Decode(saved.Data)
	if err != nil {
		s.warn("the saved conversation could not be read (%v); starting a new one", err)
		return agent.NewConversation(ref, agentName, s.cwd), nil
	}
	c.Model, c.Agent, c.Cwd = ref, agentName, s.cwd
	fmt.Fprintf(s.o.io.ErrOut, "Resumed the conversation of %s (%d messages).\n",
		saved.Updated.Local().Format("2006-01-02 15:04"), len(c.Messages))
	return c, nil
}

func (s *setup) saveConversation(c *agent.Conversation) error {
	data, err := c.Encode()
	if err != nil {
		return err
	}
	return s.store.SaveConversation(context.Background(), store.Conversation{ID: c.ID, Cwd: c.Cwd,
		Agent: c.Agent, Model: c.Model, Data: data, Updated: time.Now()})
}

// waitMCP gives MCP servers up to the configured time to finish starting,
// so the first prompt sees their tools.
func (s *setup) waitMCP(ctx context.Context, interactive bool) {
	if s.mcp == nil {
		return
	}
	key, def := "mcp.noInteractiveTimeout", 30000
	if interactive {
		key, def = "mcp.initTimeout", 5000
	}
	if !s.mcp.Wait(ctx, time.Duration(s.settings.Int(key, def))*time.Millisecond) {
		s.warn("not all MCP servers loaded in time (/mcp shows them); configure the wait with q settings %s", key)
	}
}
