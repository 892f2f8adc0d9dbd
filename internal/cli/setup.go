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
	"github.com/qdev/qdev/internal/netconf"
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
	net       *netconf.Network // the proxy and CAs of every outgoing connection
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
	// intents are the running calls whose outcome is still to be
	// recorded, with their intent's eventID. Subagents run calls in
	// parallel, so auditMu guards these and auditPending while any may.
	intents map[*agent.Call]string
	auditMu sync.Mutex

	// What the active agent configures; replaced by applyAgent.
	cfg    *agentcfg.Agent
	legacy *contextfiles.LegacyContext
	hooks  *hook.Runner
	mcp    *mcp.Manager
	// agentBlocked is set when the workspace gate held back the agent
	// file's hooks and permission grants (see gateWorkspace).
	agentBlocked bool
	// refused is set when the chosen agent's file is invalid and the
	// session runs with the built-in agent instead (chooseAgent).
	refused bool
	// legacyProfile is the legacy profile --profile chose, "" for none.
	legacyProfile string
	// started is set once the first agent is loaded: later loads do not
	// ask about workspace trust.
	started bool
	// childMu guards the writes of mcp and hooks and exiting, which
	// killChildren reads from the signal handler's goroutine.
	childMu sync.Mutex
	exiting bool
	// resources are MCP resources attached to the context (/mcp attach).
	resources []string

	warnMu sync.Mutex
	warned map[string]bool
}

func (s *setup) close() {
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
	if err := s.loadBase(); err != nil {
		return nil, err
	}
	cfg, err := s.chooseAgent()
	if err != nil {
		return nil, err
	}
	dataDir := paths.DataDir()
	// Open creates the data directory (0700) when it is missing.
	if s.store, err = store.Open(filepath.Join(dataDir, store.FileName)); err != nil {
		return nil, err
	}
	resumed, err := s.resumable(ctx)
	if err != nil {
		return nil, err
	}
	ref, provider, modelID, err := s.openModel(ctx, cfg, resumed)
	if err != nil {
		return nil, err
	}
	if o.trustAll {
		if ok, rule := s.managed.TrustAllAllowed(); !ok {
			return nil, fmt.Errorf("--trust-all-tools is not allowed: %s", managed.Blocked(rule))
		}
	}
	s.popts = permission.Options{TrustAll: o.trustAll, UntrustFsRead: o.untrustFsRead}
	// Without the agent the user chose, nothing runs unasked.
	s.popts.TrustToolsSet = s.refused
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

	conv := s.conversation(resumed, ref, cfg.Name)
	if err := s.openAudit(); err != nil {
		return nil, err
	}
	if err := s.toolEnv(conv.Transcript); err != nil {
		return nil, err
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

// loadBase reads what every session needs first: the settings, the
// managed layer, the log, the working and home directories, the network.
func (s *setup) loadBase() error {
	var err error
	if s.settings, err = loadSettings(); err != nil {
		return err
	}
	// A managed layer that cannot be read fails closed: no session at all.
	if s.managed, err = managed.Load(); err != nil {
		return err
	}
	if s.log, s.closeLog, err = logging.Setup(s.o.global.verbose); err != nil {
		return err
	}
	if s.cwd, err = os.Getwd(); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	s.home = paths.Home()
	s.net, err = netconf.Load(netconf.Options{CABundle: s.settings.String(netconf.SettingCABundle, ""), Home: s.home})
	return err
}

// toolEnv sets up what tools run with: the working directory, the child
// environment with the AI marker and the network settings, the sandbox
// and, when the organisation names one, the attribution role.
func (s *setup) toolEnv(transcript func() string) error {
	sandbox, err := s.sandbox()
	if err != nil {
		return err
	}
	s.env = &tool.Env{Cwd: s.cwd, Environ: s.net.ChildEnv(tool.ChildEnv(os.Environ(), version.Version)), DataDir: paths.DataDir(),
		Version: version.Version, Transcript: transcript, Sandbox: sandbox}
	if arn := s.managed.AWSAttributionRole(); arn != "" {
		// AI-initiated AWS calls run as the attribution role, tagged with
		// who asked; if STS fails they do not run at all.
		s.attribution = attribution.New(arn, attribution.Options{Environ: os.Environ(), Network: s.net, Logger: s.log})
		s.env.Credentials = s.attribution.Environ
	}
	return nil
}

// providerOptions are what every model provider of the session shares.
func (s *setup) providerOptions() providers.Options {
	return providers.Options{Network: s.net, Logger: s.log}
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

// savedConversation is the conversation --resume continues.
type savedConversation struct {
	conv    *agent.Conversation
	updated time.Time
}

// resumable loads this directory's latest conversation for --resume; nil
// without --resume, or when there is none or it cannot be read (both said).
func (s *setup) resumable(ctx context.Context) (*savedConversation, error) {
	if !s.o.resume {
		return nil, nil
	}
	saved, ok, err := s.store.LatestConversation(ctx, s.cwd)
	if err != nil {
		return nil, err
	}
	if !ok {
		fmt.Fprintln(s.o.io.ErrOut, "No previous conversation in this directory; starting a new one.")
		return nil, nil
	}
	c, err := agent.Decode(saved.Data)
	if err != nil {
		s.warn("the saved conversation could not be read (%v); starting a new one", err)
		return nil, nil
	}
	if c.Model == "" {
		c.Model = saved.Model
	}
	return &savedConversation{conv: c, updated: saved.Updated}, nil
}

// conversation continues resumed with model ref and the agent, or starts a
// new conversation when resumed is nil.
func (s *setup) conversation(resumed *savedConversation, ref, agentName string) *agent.Conversation {
	if resumed == nil {
		return agent.NewConversation(ref, agentName, s.cwd)
	}
	c := resumed.conv
	c.Model, c.Agent, c.Cwd = ref, agentName, s.cwd
	fmt.Fprintf(s.o.io.ErrOut, "Resumed the conversation of %s (%d messages).\n",
		resumed.updated.Local().Format("2006-01-02 15:04"), len(c.Messages))
	return c
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
