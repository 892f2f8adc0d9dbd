// Package chat is the interactive q chat session: it reads prompts, runs
// slash commands, asks for tool approvals and shows the agent's turns.
package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/chat/lineedit"
	"github.com/qdev/qdev/internal/chat/render"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/checkpoint"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
)

// LineReader reads one line of input; *lineedit.Editor implements it.
type LineReader interface {
	ReadLine(prompt string) (string, error)
	AddHistory(line string)
}

// Session is one interactive chat.
type Session struct {
	Agent *agent.Agent
	// Workspace, if set, backs /agent, /context, /hooks, /mcp and /prompts.
	Workspace Workspace
	Input     LineReader
	// Out receives the answers, Info tool activity and messages.
	Out, Info io.Writer
	Color     bool
	// Columns returns the terminal's width and the column to wrap answers
	// at (--wrap; 0 leaves long lines to the terminal). It is asked at each
	// answer, so a resized terminal is followed; nil means 0, 0.
	Columns func() (width, wrap int)
	// OpenModel switches the session to another "provider/model" reference.
	OpenModel func(ref string) (model.Provider, string, error)
	// WindowFor returns the context window to use for a model id.
	WindowFor func(modelID string) int
	// KnownModels are offered by /model.
	KnownModels []string
	// Spinner, if set, shows "Thinking..." until the first output.
	Spinner *render.Spinner
	// SaveConversation persists the conversation (also used by /clear and /load).
	SaveConversation func(*agent.Conversation) error
	// TTY is the terminal the session reads from, nil when input is not one.
	TTY *os.File
	// BeforeFirstTurn, if set, runs once before the first prompt is sent
	// (it waits for MCP servers still starting).
	BeforeFirstTurn func(ctx context.Context)
	// Checkpoints, if set, records the workspace after each turn that
	// changes it and backs /checkpoint (the chat.enableCheckpoint
	// experiment).
	Checkpoints *checkpoint.Store
	// TangentMode enables /tangent (the chat.enableTangentMode experiment).
	TangentMode bool
	// TangentKey is the letter that with Ctrl toggles a tangent, for /help;
	// the line editor binds it.
	TangentKey rune
	// RecordAction, if set, puts what the user asks q to change outside
	// tool calls (a checkpoint restore) on the audit trail.
	RecordAction Recorder

	disp       *display
	cp         *checkpoints
	tangent    *tangent
	ctrlCArmed bool
	// mcpFailed are the MCP servers whose failure to start was reported,
	// by manager and name.
	mcpFailed map[mcpServerKey]bool
	sigint    chan os.Signal
	tty       *ttyModes
}

// errQuit ends the session normally.
var errQuit = errors.New("quit")

// Run reads prompts until /quit, Ctrl-D, or two Ctrl-C at an empty prompt.
// initial, if not empty, is sent as the first prompt.
func (s *Session) Run(ctx context.Context, initial string) error {
	s.disp = newDisplay(s.Out, s.Info, s.Color, s.Columns, s.Spinner)
	if s.Checkpoints != nil {
		s.cp = &checkpoints{store: s.Checkpoints, info: s.Info, st: newStyles(s.Color)}
	}
	s.Agent.Attach(s.disp, s.approve)
	// SIGINT is caught for the whole session: outside the line editor (which
	// reads Ctrl-C as a key) it cancels whatever runs, never the session.
	s.sigint = make(chan os.Signal, 1)
	signal.Notify(s.sigint, os.Interrupt)
	defer signal.Stop(s.sigint)
	s.tty = enterTurnMode(s.TTY)
	defer s.tty.restore()
	if initial != "" {
		// Shown as if typed at the prompt, so the answer has its question
		// above it, as every later one has.
		fmt.Fprintf(s.Info, "%s%s\n", s.prompt(), termwidth.Visible(initial))
		if err := s.handle(ctx, initial); errors.Is(err, errQuit) {
			return nil
		}
	}
	for {
		s.reportMCPFailures()
		s.knowledgeNotices()
		line, err := s.Input.ReadLine(s.prompt())
		switch {
		case errors.Is(err, lineedit.ErrInterrupt):
			if s.ctrlCArmed {
				return nil
			}
			s.ctrlCArmed = true
			fmt.Fprintln(s.Info, "(press Ctrl-C again or type /quit to exit)")
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(s.Info)
			return nil
		case err != nil:
			return err
		}
		s.ctrlCArmed = false
		if strings.TrimSpace(line) == "" {
			continue
		}
		s.Input.AddHistory(line)
		if err := s.handle(ctx, line); errors.Is(err, errQuit) {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

func (s *Session) prompt() string {
	st := newStyles(s.Color)
	p := st.green + "> " + st.reset
	if s.tangent != nil {
		p = st.yellow + "↯ tangent " + p
	}
	name := s.Agent.Conversation().Agent
	if name == "" || name == "q_cli_default" {
		return p
	}
	return st.cyan + "[" + name + "] " + p
}

// handle dispatches one line of input.
func (s *Session) handle(ctx context.Context, line string) error {
	line = SanitizeUnicode(line)
	trimmed := strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(trimmed, "!"):
		return s.shell(ctx, strings.TrimPrefix(trimmed, "!"))
	case strings.HasPrefix(trimmed, "/") && isCommand(trimmed):
		return s.command(ctx, trimmed)
	case strings.HasPrefix(trimmed, "@") && len(trimmed) > 1 && s.mcp() != nil:
		f := strings.Fields(trimmed[1:])
		return s.usePrompt(ctx, f[0], f[1:])
	case strings.HasPrefix(trimmed, "/") && !looksLikePath(trimmed):
		fmt.Fprintf(s.Info, "Unknown command %s. Type /help for the list of commands.\n", strings.Fields(trimmed)[0])
		return nil
	}
	return s.send(ctx, line)
}

// send runs one turn; Ctrl-C (SIGINT) cancels it and returns to the prompt.
func (s *Session) send(ctx context.Context, text string) error {
	blocks, warnings := PromptBlocks(text, s.Agent.Env().Cwd)
	for _, w := range warnings {
		fmt.Fprintln(s.Info, w)
	}
	if blocks == nil {
		return nil
	}
	tctx, cancel := s.interruptible(ctx)
	defer cancel()
	if s.BeforeFirstTurn != nil {
		s.BeforeFirstTurn(tctx)
		s.BeforeFirstTurn = nil
		s.reportMCPFailures()
	}
	conv := s.Agent.Conversation()
	start := len(conv.Messages)
	s.cp.before(tctx, conv.ID, text)
	if s.Spinner != nil {
		s.Spinner.Start("Thinking...")
	}
	err := s.Agent.Turn(tctx, blocks)
	s.disp.finish()
	s.cp.after(tctx, conv.ID, text, conv.Messages[min(start, len(conv.Messages)):])
	st := newStyles(s.Color)
	switch {
	case errors.Is(err, agent.ErrInterrupted) || (err != nil && tctx.Err() != nil && ctx.Err() == nil):
		fmt.Fprintf(s.Info, "\n%s(interrupted)%s\n", st.yellow, st.reset)
	case err != nil:
		s.disp.Error(err)
	}
	s.warnNearLimit()
	fmt.Fprintln(s.Out)
	return nil
}

// interruptible returns a context that Ctrl-C (SIGINT) cancels.
func (s *Session) interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	tctx, cancel := context.WithCancel(ctx)
	if s.sigint == nil {
		return tctx, cancel
	}
	// Drop a Ctrl-C that arrived before this started.
	select {
	case <-s.sigint:
	default:
	}
	go func() {
		select {
		case <-s.sigint:
			cancel()
		case <-tctx.Done():
		}
	}()
	return tctx, cancel
}

// warnNearLimit suggests /compact before auto-compaction kicks in.
func (s *Session) warnNearLimit() {
	a := s.Agent
	if a.Window() == 0 {
		return
	}
	pct := a.ContextTokens() * 100 / a.Window()
	if pct >= 60 {
		st := newStyles(s.Color)
		fmt.Fprintf(s.Info, "%sThe conversation uses %d%% of the context window; consider /compact.%s\n", st.yellow, pct, st.reset)
	}
}

// approve asks the user about a tool call: y runs it once, t trusts the
// tool for the session, n refuses; any other text refuses and is passed to
// the model as the user's reason.
func (s *Session) approve(ctx context.Context, c *agent.Call) (agent.Answer, error) {
	s.disp.finish()
	st := newStyles(s.Color)
	if why := c.Decision.Rule; c.Decision.Kind == permission.Ask && why != "" && !c.Decision.Untrusted {
		// A reason beyond "not trusted" (q's own configuration, an
		// organisation rule) is why even a trusted tool asks: say so.
		line := "⚠ " + termwidth.Visible(why)
		if r := c.Decision.Reasons; len(r) > 0 {
			line += ": " + termwidth.Visible(strings.Join(r, ", "))
		}
		if c.Decision.Layer == permission.LayerManaged && c.Decision.Source != "" {
			line += " (" + termwidth.Visible(c.Decision.Source) + ")"
		}
		fmt.Fprintf(s.Info, "%s%s%s\n", st.yellow, line, st.reset)
	}
	q := fmt.Sprintf("%sAllow this action? Use 't' to trust (always allow) this tool for the session. [y/n/t]:%s ", st.yellow, st.reset)
	if c.Decision.AlwaysAsks {
		// Trusting the tool would not stop the question: no "t".
		q = fmt.Sprintf("%sAllow this action? It asks every time. [y/n]:%s ", st.yellow, st.reset)
	}
	for {
		line, err := s.Input.ReadLine(q)
		if errors.Is(err, lineedit.ErrInterrupt) || errors.Is(err, io.EOF) {
			return agent.Deny, agent.ErrInterrupted
		}
		if err != nil {
			return agent.Deny, err
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return agent.AllowOnce, nil
		case "t", "trust":
			if c.Decision.AlwaysAsks {
				fmt.Fprintf(s.Info, "This tool cannot be trusted for the session (%s); answer y or n.\n", termwidth.Visible(c.Decision.Rule))
				continue
			}
			return agent.TrustSession, nil
		case "n", "no":
			return agent.Deny, nil
		case "":
			continue
		}
		c.Feedback = strings.TrimSpace(line)
		return agent.Deny, nil
	}
}
