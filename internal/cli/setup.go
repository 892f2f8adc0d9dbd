package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat"
	"github.com/qdev/qdev/internal/chat/lineedit"
	"github.com/qdev/qdev/internal/chat/render"
	"github.com/qdev/qdev/internal/logging"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/store"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/version"
)

// setup is a chat session's assembled parts.
type setup struct {
	o        *chatOptions
	settings *settings.Settings
	log      *slog.Logger
	closeLog func() error
	store    *store.Store
	agent    *agent.Agent
	perms    *permission.Checker
	cfg      *agentcfg.Agent
}

func (s *setup) close() {
	if s.store != nil {
		s.store.Close()
	}
	if s.closeLog != nil {
		_ = s.closeLog()
	}
}

func (s *setup) warn(format string, args ...any) {
	fmt.Fprintf(s.o.io.ErrOut, "Warning: "+format+"\n", args...)
}

func newSetup(ctx context.Context, o *chatOptions) (*setup, error) {
	s := &setup{o: o}
	var err error
	if s.settings, err = loadSettings(); err != nil {
		return nil, err
	}
	if s.log, s.closeLog, err = logging.Setup(o.global.verbose); err != nil {
		return nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	home := paths.Home()

	name := o.agent
	if name == "" {
		name = o.profile
	}
	if name == "" {
		name = s.settings.String("chat.defaultAgent", "")
	}
	cfg, warnings := agentcfg.Load(agentcfg.Dirs(cwd, home), name)
	for _, w := range warnings {
		s.warn("%s", w)
	}
	s.cfg = cfg

	ref := o.model
	if ref == "" {
		ref = cfg.Model
	}
	if ref == "" {
		ref = s.settings.String("chat.defaultModel", "")
	}
	if ref == "" {
		return nil, fmt.Errorf("%s", providers.HowToConfigure)
	}
	provider, modelID, err := providers.Open(ctx, ref)
	if err != nil {
		return nil, err
	}

	popts := permission.Options{TrustAll: o.trustAll, UntrustFsRead: o.untrustFsRead}
	if o.trustToolsSet {
		popts.TrustToolsSet = true
		for _, t := range strings.Split(o.trustTools, ",") {
			if t = strings.TrimSpace(t); t != "" {
				popts.TrustTools = append(popts.TrustTools, t)
			}
		}
	}
	perms, pwarn, err := permission.New(permission.Config{AllowedTools: cfg.AllowedTools,
		ToolsSettings: cfg.ToolsSettings, Cwd: cwd, Home: home}, popts)
	if err != nil {
		return nil, err
	}
	for _, w := range pwarn {
		s.warn("%s", w)
	}
	s.perms = perms

	dataDir := paths.DataDir()
	if err := paths.EnsureDir(dataDir); err != nil {
		return nil, err
	}
	if s.store, err = store.Open(filepath.Join(dataDir, "qdev.sqlite3")); err != nil {
		return nil, err
	}
	conv, err := s.conversation(ctx, ref, cfg.Name, cwd)
	if err != nil {
		return nil, err
	}

	window := s.window(modelID)
	autoPct := s.settings.Int("chat.autoCompactPercent", 80)
	if s.settings.Bool("chat.disableAutoCompaction", false) {
		autoPct = 0
	}
	env := &tool.Env{Cwd: cwd, Environ: tool.ChildEnv(os.Environ(), version.Version), DataDir: dataDir,
		Version: version.Version, Transcript: conv.Transcript}
	s.agent = &agent.Agent{
		Config: agent.Config{Provider: provider, ModelID: modelID, System: systemPrompt(cwd, cfg.Prompt),
			Tools: selectTools(cfg, s.settings), Permissions: perms, Env: env, Window: window,
			AutoCompactPercent: autoPct, Log: s.log},
		Conv: conv,
		Save: s.saveConversation,
	}
	return s, nil
}

// conversation resumes this directory's conversation with --resume, or
// starts a new one.
func (s *setup) conversation(ctx context.Context, ref, agentName, cwd string) (*agent.Conversation, error) {
	if !s.o.resume {
		return agent.NewConversation(ref, agentName, cwd), nil
	}
	saved, ok, err := s.store.LatestConversation(ctx, cwd)
	if err != nil {
		return nil, err
	}
	if !ok {
		fmt.Fprintln(s.o.io.ErrOut, "No previous conversation in this directory; starting a new one.")
		return agent.NewConversation(ref, agentName, cwd), nil
	}
	c, err := agent.Decode(saved.Data)
	if err != nil {
		s.warn("the saved conversation could not be read (%v); starting a new one", err)
		return agent.NewConversation(ref, agentName, cwd), nil
	}
	c.Model, c.Agent, c.Cwd = ref, agentName, cwd
	fmt.Fprintf(s.o.io.ErrOut, "Resumed the conversation of %s (%d messages).\n",
		saved.Updated.Local().Format("2006-01-02 15:04"), len(c.Messages))
	return c, nil
}

// window is the context window for a model: the chat.contextWindow setting
// when set, else what the model family is known to accept.
func (s *setup) window(modelID string) int {
	if w := s.settings.Int("chat.contextWindow", 0); w > 0 {
		return w
	}
	return model.ContextWindow(modelID)
}

func (s *setup) saveConversation(c *agent.Conversation) error {
	data, err := c.Encode()
	if err != nil {
		return err
	}
	return s.store.SaveConversation(context.Background(), store.Conversation{ID: c.ID, Cwd: c.Cwd,
		Agent: c.Agent, Model: c.Model, Data: data, Updated: time.Now()})
}

// selectTools returns the built-in tools the agent enables. thinking and
// todo_list are experiments in the Q CLI, off unless their setting is on.
func selectTools(cfg *agentcfg.Agent, st *settings.Settings) []tool.Tool {
	gated := map[string]string{"thinking": "chat.enableThinking", "todo_list": "chat.enableTodoList"}
	var out []tool.Tool
	for _, t := range tool.Builtins() {
		name := t.Spec().Name
		if key, ok := gated[name]; ok && !st.Bool(key, false) {
			continue
		}
		if enabled(cfg.Tools, name) {
			out = append(out, t)
		}
	}
	return out
}

func enabled(list []string, name string) bool {
	for _, e := range list {
		if e == "*" || e == "@builtin" || e == name || e == "@builtin/"+name {
			return true
		}
	}
	return false
}

func (s *setup) interactive(ctx context.Context, input string) error {
	o := s.o
	isTTY := term.IsTerminal(int(o.io.In.Fd()))
	outTTY := false
	if f, ok := o.io.Out.(*os.File); ok {
		outTTY = term.IsTerminal(int(f.Fd()))
	}
	color := outTTY && os.Getenv("NO_COLOR") == "" && !s.settings.Bool("chat.disableMarkdownRendering", false)
	width := 100
	if outTTY {
		if w, _, err := term.GetSize(int(o.io.Out.(*os.File).Fd())); err == nil && w > 0 {
			width = w
		}
	}
	history, _ := s.store.History(ctx, 1000)
	ed := lineedit.New(o.io.In, o.io.ErrOut, lineedit.Options{History: history, OnHistoryAdd: func(line string) {
		_ = s.store.AppendHistory(context.Background(), line)
	}})
	var spinner *render.Spinner
	if isTTY && outTTY {
		spinner = render.NewSpinner(o.io.ErrOut)
	}
	sess := &chat.Session{Agent: s.agent, Perms: s.perms, Input: ed, Out: o.io.Out, Info: o.io.ErrOut,
		Color: color, Width: width, Version: version.Version, Spinner: spinner,
		KnownModels: knownModels(s.agent.Conv.Model, s.settings.String("chat.defaultModel", "")),
		OpenModel: func(ref string) (model.Provider, string, error) {
			return providers.Open(ctx, ref)
		},
		SaveConversation: s.saveConversation,
		WindowFor:        s.window,
	}
	if isTTY {
		sess.TTY = o.io.In
	}
	if s.settings.Bool("chat.greeting.enabled", true) && isTTY {
		fmt.Fprintf(o.io.ErrOut, "qdev %s · model %s · agent %s\n/help for commands, Ctrl-D to exit.\n\n",
			version.Version, s.agent.Conv.Model, s.cfg.Name)
	}
	if o.trustAll {
		s.warn("all tools are trusted (--trust-all-tools); deny rules still apply")
	}
	return sess.Run(ctx, input)
}

func knownModels(current, def string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, m := range append([]string{current, def}, providers.QModels...) {
		if m != "" && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}
