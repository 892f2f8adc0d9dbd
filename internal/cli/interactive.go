package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/qdev/qdev/internal/chat"
	"github.com/qdev/qdev/internal/chat/console"
	"github.com/qdev/qdev/internal/chat/lineedit"
	"github.com/qdev/qdev/internal/chat/render"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/store"
	"github.com/qdev/qdev/internal/version"
)

func (s *setup) interactive(ctx context.Context, input string) error {
	o := s.o
	isTTY := term.IsTerminal(int(o.io.In.Fd()))
	outFile, _ := o.io.Out.(*os.File)
	outTTY := outFile != nil && term.IsTerminal(int(outFile.Fd()))
	color := outTTY && os.Getenv("NO_COLOR") == "" && !s.settings.Bool("chat.disableMarkdownRendering", false)
	history, _ := s.store.History(ctx, store.HistoryLimit)
	var shortcuts map[rune]string
	tangentKey := s.tangentKey()
	if tangentKey != 0 {
		shortcuts = map[rune]string{tangentKey: "/tangent"}
	}
	ed := lineedit.New(o.io.In, o.io.ErrOut, lineedit.Options{History: history, OnHistoryAdd: func(line string) {
		_ = s.store.AppendHistory(context.Background(), line)
	}, Shortcuts: shortcuts})
	// Everything the session prints shares one console, so a warning from a
	// hook or an MCP server starts on its own line instead of being glued to
	// the spinner or to a tool's unfinished output line.
	con, rawErr := console.New(), o.io.ErrOut
	errFile, _ := rawErr.(*os.File)
	var spinner *render.Spinner
	if isTTY && outTTY && errFile != nil && term.IsTerminal(int(errFile.Fd())) {
		spinner = render.NewStatusSpinner(func(line string) { con.SetStatus(rawErr, line) })
	}
	o.io.ErrOut = con.Writer(rawErr)
	defer func() { o.io.ErrOut = rawErr }()
	sess := &chat.Session{Agent: s.agent, Workspace: s, Input: ed, Out: con.Writer(o.io.Out), Info: con.Writer(rawErr),
		Color: color, Columns: o.columns, Spinner: spinner,
		KnownModels: knownModels(s.agent.Conv.Model, s.settings.String("chat.defaultModel", "")),
		OpenModel: func(ref string) (model.Provider, string, error) {
			if err := s.checkModel(ref); err != nil {
				return nil, "", err
			}
			return providers.Open(ctx, ref, s.providerOptions())
		},
		SaveConversation: s.saveConversation,
		WindowFor:        s.window,
		BeforeFirstTurn:  func(ctx context.Context) { s.waitMCP(ctx, true) },
		Checkpoints:      s.checkpoints(ctx),
		TangentMode:      tangentKey != 0,
		TangentKey:       tangentKey,
		RecordAction:     s.recordAction,
	}
	if isTTY {
		sess.TTY = o.io.In
	}
	if s.settings.Bool("chat.greeting.enabled", true) && isTTY {
		fmt.Fprintf(o.io.ErrOut, "qdev %s · model %s · agent %s\n/help for commands, Ctrl-D to exit.\n\n",
			version.Version, termwidth.Visible(s.agent.Conv.Model), termwidth.Visible(s.cfg.Name))
	}
	s.welcome(isTTY)
	if sess.Checkpoints != nil {
		fmt.Fprintln(o.io.ErrOut, "Checkpoints are on: each turn that changes files is recorded (/checkpoint list).")
	}
	if o.trustAll {
		s.warn("all tools are trusted (--trust-all-tools); deny rules still apply")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	restoreTTY := func() {}
	if fd := int(o.io.In.Fd()); isTTY {
		if st, err := term.GetState(fd); err == nil {
			restoreTTY = func() { _ = term.Restore(fd, st) }
		}
	}
	terminated := terminateOnSignal(cancel, done, func() { s.killChildren(); restoreTTY() })
	err := sess.Run(ctx, input)
	close(done)
	if terminated.Load() {
		return &ExitError{Code: 143}
	}
	return err
}

// terminateOnSignal ends the session on SIGTERM or SIGHUP (a closed
// terminal): it cancels what runs, so tools in their own process groups are
// killed rather than orphaned, and exits if the session is blocked at the
// prompt and does not return by itself, leaving the terminal as it found
// it rather than raw and its hooks and MCP servers killed (beforeExit).
func terminateOnSignal(cancel context.CancelFunc, done <-chan struct{}, beforeExit func()) *atomic.Bool {
	var terminated atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		defer signal.Stop(sig)
		select {
		case <-sig:
		case <-done:
			return
		}
		terminated.Store(true)
		cancel()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			beforeExit()
			os.Exit(143)
		}
	}()
	return &terminated
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
