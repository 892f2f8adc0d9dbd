package session

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/attribution"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/audit/calls"
	"github.com/qdev/qdev/internal/logging"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/version"
)

// Builder holds what every agent of a session is built under: the
// settings, the organisation's managed layer, the launch permission flags,
// the workspace gate, and what tools run with (the working directory, the
// environment, the sandbox, the attribution role, the audit trail). It
// needs nothing from the command line once the session is built.
type Builder struct {
	settings    *settings.Settings
	managed     *managed.Settings
	log         *slog.Logger
	net         *netconf.Network // the proxy and CAs of every outgoing connection
	cwd, home   string
	env         *tool.Env
	trail       *audit.Trail
	attribution *attribution.Provider // the role of AI-initiated AWS calls, if any
	// launch are the launch flags that trust or untrust tools.
	launch permission.Options
	// legacyProfile is the legacy profile --profile chose, "" for none.
	legacyProfile string
	// warn reports a problem once per session.
	warn func(format string, args ...any)
	// gate is the workspace gate: it returns the servers of cfg it lets
	// run and whether it held back the agent file's hooks and grants.
	gate func(cfg *agentcfg.Agent, servers []mcp.ServerConfig) ([]mcp.ServerConfig, bool)
}

// Settings are the user's settings.
func (b *Builder) Settings() *settings.Settings { return b.settings }

// Cwd is the session's working directory.
func (b *Builder) Cwd() string { return b.cwd }

// loadBase reads what every session needs first: the settings, the
// managed layer, the log, the working and home directories, the network.
func (s *Session) loadBase() error {
	var err error
	if s.settings, err = settings.Load(settings.DefaultPath()); err != nil {
		return err
	}
	// A managed layer that cannot be read fails closed: no session at all.
	if s.managed, err = managed.Load(); err != nil {
		return err
	}
	if s.log, s.closeLog, err = logging.Setup(s.o.Verbose); err != nil {
		return err
	}
	if s.cwd, err = os.Getwd(); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	s.home = paths.Home()
	s.net, err = netconf.Load(netconf.Options{CABundle: s.settings.String(netconf.SettingCABundle, ""), Home: s.home})
	return err
}

// openAudit opens the audit trail, the managed folder if the organisation
// names one, else the default (no setting turns it off), and returns a
// recorder of the calls of conv.
func (b *Builder) openAudit(conv *agent.Conversation) (*calls.Recorder, error) {
	dir, opts := audit.DefaultDir(), audit.Options{}
	if m := b.managed; m != nil {
		if m.Audit.Dir != "" {
			dir, opts.MaxFileBytes = m.Audit.Dir, m.Audit.MaxFileBytes
		}
		opts.PinnedKey, opts.DigestSink = m.Audit.PinnedKey(), m.Audit.DigestSink
	}
	trail, err := audit.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	b.trail = trail
	return b.Recorder(conv), nil
}

// Recorder returns a recorder of the calls of conv on the session's audit
// trail; each agent has its own.
func (b *Builder) Recorder(conv *agent.Conversation) *calls.Recorder {
	return calls.New(b.trail, func() *agent.Conversation { return conv }, version.Version,
		func(err error) { b.warn("audit trail: %v", err) })
}

// toolEnv sets up what tools run with: the working directory, the child
// environment with the AI marker and the network settings, the sandbox
// and, when the organisation names one, the attribution role.
func (b *Builder) toolEnv(transcript func() string) error {
	sandbox, err := b.sandbox()
	if err != nil {
		return err
	}
	b.env = &tool.Env{Cwd: b.cwd, Environ: b.net.ChildEnv(tool.ChildEnv(os.Environ(), version.Version)), DataDir: paths.DataDir(),
		Version: version.Version, Transcript: transcript, Sandbox: sandbox}
	if arn := b.managed.AWSAttributionRole(); arn != "" {
		// AI-initiated AWS calls run as the attribution role, tagged with
		// who asked; if STS fails they do not run at all.
		b.attribution = attribution.New(arn, attribution.Options{Environ: os.Environ(), Network: b.net, Logger: b.log})
		b.env.Credentials = b.attribution.Environ
	}
	return nil
}

// Model is an opened model.
type Model struct {
	// Ref is the "provider/model" reference as the user wrote it.
	Ref      string
	Provider model.Provider
	// ID is the provider's model id.
	ID string
}

// OpenModel opens the model ref names, if the organisation allows it.
func (b *Builder) OpenModel(ctx context.Context, ref string) (Model, error) {
	if err := b.checkModel(ref); err != nil {
		return Model{}, err
	}
	p, id, err := providers.Open(ctx, ref, providers.Options{Network: b.net, Logger: b.log})
	if err != nil {
		return Model{}, err
	}
	return Model{Ref: ref, Provider: p, ID: id}, nil
}

// checkModel applies the managed allowedModels to a model reference, with
// Q CLI model names expanded to what they really are.
func (b *Builder) checkModel(ref string) error {
	prov, id, err := providers.Split(ref)
	if err != nil {
		return err
	}
	if ok, rule := b.managed.ModelAllowed(prov + "/" + id); !ok {
		return fmt.Errorf("model %s is not allowed: %s", ref, managed.Blocked(rule))
	}
	return nil
}

// Window is the context window for a model: the chat.contextWindow setting
// when set, else what the model family is known to accept.
func (b *Builder) Window(modelID string) int {
	if w := b.settings.Int("chat.contextWindow", 0); w > 0 {
		return w
	}
	return model.ContextWindow(modelID)
}

// AgentOptions are the options of an agent built under b, equipped with
// kit, calling model m, continuing conv and recorded by rec. Save, the
// observer and the approver are left to the caller.
func (b *Builder) AgentOptions(kit agent.Kit, m Model, conv *agent.Conversation, rec *calls.Recorder) agent.Options {
	autoPct := b.settings.Int("chat.autoCompactPercent", 80)
	if b.settings.Bool("chat.disableAutoCompaction", false) {
		autoPct = 0
	}
	return agent.Options{Kit: kit, Provider: m.Provider, ModelID: m.ID, Env: b.env, Window: b.Window(m.ID),
		AutoCompactPercent: autoPct, Log: b.log, Audit: rec.Done, AuditReady: rec.Ready, Conv: conv}
}
