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
	"github.com/qdev/qdev/internal/session"
	"github.com/qdev/qdev/internal/store"
	"github.com/qdev/qdev/internal/version"
)

// interactive runs the chat session s with the user at the terminal.
func interactive(ctx context.Context, o *chatOptions, s *session.Session, input string) error {
	stdio := o.IO
	st := s.Settings()
	a := s.Agent()
	isTTY := term.IsTerminal(int(stdio.In.Fd()))
	outFile, _ := stdio.Out.(*os.File)
	outTTY := outFile != nil && term.IsTerminal(int(outFile.Fd()))
	color := outTTY && os.Getenv("NO_COLOR") == "" && !st.Bool("chat.disableMarkdownRendering", false)
	history, _ := s.Store().History(ctx, store.HistoryLimit)
	var shortcuts map[rune]string
	tangentKey := s.TangentKey()
	if tangentKey != 0 {
		shortcuts = map[rune]string{tangentKey: "/tangent"}
	}
	ed := lineedit.New(stdio.In, stdio.ErrOut, lineedit.Options{History: history, OnHistoryAdd: func(line string) {
		_ = s.Store().AppendHistory(context.Background(), line)
	}, Shortcuts: shortcuts})
	// Everything the session prints shares one console, so a warning from a
	// hook or an MCP server starts on its own line instead of being glued to
	// the spinner or to a tool's unfinished output line.
	con, rawErr := console.New(), stdio.ErrOut
	errFile, _ := rawErr.(*os.File)
	var spinner *render.Spinner
	if isTTY && outTTY && errFile != nil && term.IsTerminal(int(errFile.Fd())) {
		spinner = render.NewStatusSpinner(func(line string) { con.SetStatus(rawErr, line) })
	}
	// Warnings (from hooks and MCP servers too) are a source of their own.
	errOut := con.Writer(rawErr)
	defer s.SetErrOut(s.SetErrOut(errOut))
	sess := &chat.Session{Agent: a, Workspace: s, Input: ed, Out: con.Writer(stdio.Out), Info: con.Writer(rawErr),
		Color: color, Columns: o.columns, Spinner: spinner,
		KnownModels: knownModels(a.Conversation().Model, st.String("chat.defaultModel", "")),
		OpenModel: func(ref string) (model.Provider, string, error) {
			m, err := s.OpenModel(ctx, ref)
			return m.Provider, m.ID, err
		},
		SaveConversation: s.SaveConversation,
		WindowFor:        s.Window,
		BeforeFirstTurn:  func(ctx context.Context) { s.WaitMCP(ctx, true) },
		Checkpoints:      s.Checkpoints(ctx),
		TangentMode:      tangentKey != 0,
		TangentKey:       tangentKey,
		RecordAction:     s.RecordAction,
	}
	if isTTY {
		sess.TTY = stdio.In
	}
	if st.Bool("chat.greeting.enabled", true) && isTTY {
		fmt.Fprintf(errOut, "qdev %s · model %s · agent %s\n/help for commands, Ctrl-D to exit.\n\n",
			version.Version, termwidth.Visible(a.Conversation().Model), termwidth.Visible(s.Active().Name))
	}
	if isTTY {
		s.Welcome()
	}
	if sess.Checkpoints != nil {
		fmt.Fprintln(errOut, "Checkpoints are on: each turn that changes files is recorded (/checkpoint list).")
	}
	if o.trustAll {
		s.Warn("all tools are trusted (--trust-all-tools); deny rules still apply")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	restoreTTY := func() {}
	if fd := int(stdio.In.Fd()); isTTY {
		if st, err := term.GetState(fd); err == nil {
			restoreTTY = func() { _ = term.Restore(fd, st) }
		}
	}
	terminated := terminateOnSignal(cancel, done, func() { s.KillChildren(); restoreTTY() })
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
