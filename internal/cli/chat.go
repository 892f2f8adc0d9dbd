package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/qdev/qdev/internal/chat"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/session"
)

// chatFactory holds what q chat depends on.
type chatFactory struct {
	IO     IO
	Global *globalOptions
	// NewSession builds the session the options describe.
	NewSession func(ctx context.Context, o session.Options) (*session.Session, error)
}

// newChatFactory is the factory of the real q chat.
func newChatFactory(stdio IO, g *globalOptions) *chatFactory {
	return &chatFactory{IO: stdio, Global: g, NewSession: session.New}
}

// chatOptions are the flags and arguments of q chat (also accepted by
// bare q).
type chatOptions struct {
	*chatFactory
	Ctx           context.Context
	Args          []string
	noInteractive bool
	resume        bool
	agent         string
	profile       string
	model         string
	trustAll      bool
	trustTools    string
	trustToolsSet bool // --trust-tools was given, even empty
	untrustFsRead bool
	outputFormat  string
	wrap          string
	wrapAt        int // --wrap as a column, 0 for no wrapping

	// trustWorkspace is --trust-workspace: run and remember the hooks and
	// MCP servers the workspace configures when q starts.
	trustWorkspace bool
}

func newCmdChat(f *chatFactory, runF func(*chatOptions) error) *cobra.Command {
	o := &chatOptions{chatFactory: f}
	if runF == nil {
		runF = chatRun
	}
	cmd := &cobra.Command{
		Use:   "chat [INPUT]",
		Short: "Start a chat session with the agent (the default command)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Args = cmd.Context(), args
			o.trustToolsSet = cmd.Flags().Changed("trust-tools")
			return runF(o)
		},
	}
	addChatFlags(cmd, o)
	return cmd
}

func addChatFlags(cmd *cobra.Command, o *chatOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.noInteractive, "no-interactive", false, "print the answer and exit; tool calls that need approval fail the run")
	f.BoolVar(&o.noInteractive, "non-interactive", false, "alias of --no-interactive")
	f.BoolVarP(&o.resume, "resume", "r", false, "resume the previous conversation from this directory")
	f.StringVar(&o.agent, "agent", "", "agent to use")
	f.StringVar(&o.profile, "profile", "", "deprecated alias of --agent")
	f.StringVar(&o.model, "model", "", "model to use, as PROVIDER/MODEL (bedrock, openai, ollama, anthropic)")
	f.BoolVarP(&o.trustAll, "trust-all-tools", "a", false, "run every tool without asking (deny rules still apply)")
	f.StringVar(&o.trustTools, "trust-tools", "", "trust only these tools (comma-separated); --trust-tools= trusts none")
	f.BoolVar(&o.untrustFsRead, "untrust-fs-read", false, "start with fs_read asking for every read")
	f.BoolVar(&o.trustWorkspace, "trust-workspace", false, "trust and remember the hooks and MCP servers this workspace's .amazonq configures now")
	f.StringVar(&o.outputFormat, "output-format", chat.FormatText, "with --no-interactive: text, json or stream-json")
	f.StringVarP(&o.wrap, "wrap", "w", "auto", "line wrapping: always, never or auto")
	_ = f.MarkHidden("non-interactive")
	_ = f.MarkDeprecated("profile", "use --agent")
}

// sessionOptions is the session the flags ask for.
func (o *chatOptions) sessionOptions() session.Options {
	perms := permission.Options{TrustAll: o.trustAll, UntrustFsRead: o.untrustFsRead, TrustToolsSet: o.trustToolsSet}
	if o.trustToolsSet {
		for _, t := range strings.Split(o.trustTools, ",") {
			if t = strings.TrimSpace(t); t != "" {
				perms.TrustTools = append(perms.TrustTools, t)
			}
		}
	}
	return session.Options{In: o.IO.In, ErrOut: o.IO.ErrOut, Verbose: o.Global.verbose, NoInteractive: o.noInteractive,
		Resume: o.resume, Agent: o.agent, Profile: o.profile, Model: o.model, Permissions: perms, TrustWorkspace: o.trustWorkspace}
}

func chatRun(o *chatOptions) error {
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	switch o.outputFormat {
	case chat.FormatText, chat.FormatJSON, chat.FormatStreamJSON:
	default:
		return &ExitError{Code: 2, Err: fmt.Errorf("invalid --output-format %q: use text, json or stream-json", o.outputFormat)}
	}
	// A script asking for JSON must not get an interactive session's text.
	if o.outputFormat != chat.FormatText && !o.noInteractive {
		return &ExitError{Code: 2, Err: fmt.Errorf("--output-format %s needs --no-interactive", o.outputFormat)}
	}
	wrap, err := wrapColumns(o.wrap, o.IO.Out)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	o.wrapAt = wrap
	input := strings.Join(o.Args, " ")
	if o.noInteractive && input == "" {
		if term.IsTerminal(int(o.IO.In.Fd())) {
			return &ExitError{Code: 1, Err: errors.New("input must be supplied when running in non-interactive mode (an argument or standard input)")}
		}
		data, err := io.ReadAll(bufio.NewReader(o.IO.In))
		if err != nil {
			return &ExitError{Code: 1, Err: fmt.Errorf("reading standard input: %w", err)}
		}
		input = strings.TrimSpace(string(data))
		if input == "" {
			return &ExitError{Code: 1, Err: errors.New("input must be supplied when running in non-interactive mode (standard input was empty)")}
		}
	}
	s, err := o.NewSession(ctx, o.sessionOptions())
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer s.Close()
	if o.noInteractive {
		return headless(ctx, o, s, input)
	}
	return interactive(ctx, o, s, input)
}

// headless runs one prompt without a user to answer (--no-interactive).
func headless(ctx context.Context, o *chatOptions, s *session.Session, input string) error {
	// Tools run in their own process groups, out of reach of the
	// terminal's SIGINT: cancel them before exiting, never orphan them.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// agentSpawn hooks run outside any turn's context: a signal must stop
	// them too.
	context.AfterFunc(ctx, s.KillChildren)
	s.WaitMCP(ctx, false)
	h := &chat.Headless{Agent: s.Agent(), Out: o.IO.Out, Info: o.IO.ErrOut, Format: o.outputFormat, Wrap: o.wrapAt,
		Checkpoints: s.Checkpoints(ctx)}
	if err := h.Run(ctx, input); err != nil {
		if ctx.Err() != nil {
			return &ExitError{Code: 130, Err: errors.New("interrupted")}
		}
		if o.outputFormat == chat.FormatText {
			return &ExitError{Code: 1, Err: err}
		}
		return &ExitError{Code: 1}
	}
	return nil
}
