// Package cli builds the q command tree: one file per command group.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/settings"
	"github.com/qdev/qdev/internal/version"
)

// IO is where commands read and write.
type IO struct {
	In          *os.File
	Out, ErrOut io.Writer
}

// ExitError carries a process exit code. A nil Err means the failure was
// already reported to the user.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// globalOptions are flags every command accepts.
type globalOptions struct {
	verbose int
}

// NewRoot returns the q command. With no subcommand it runs q chat.
func NewRoot(stdio IO) *cobra.Command {
	g := &globalOptions{}
	chatOpts := &chatOptions{chatFactory: newChatFactory(stdio, g)}
	root := &cobra.Command{
		Use:           "q",
		Short:         "qdev: an AI assistant for software developers, compatible with the Amazon Q Developer CLI",
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := unknownCommand(cmd, args); err != nil {
				return err
			}
			chatOpts.Ctx, chatOpts.Args = cmd.Context(), args
			chatOpts.trustToolsSet = cmd.Flags().Changed("trust-tools")
			return chatRun(chatOpts)
		},
	}
	root.SetVersionTemplate("qdev {{.Version}}\n")
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.ErrOut)
	root.PersistentFlags().CountVarP(&g.verbose, "verbose", "v", "increase log verbosity (-v warn, -vv info, -vvv debug, -vvvv trace)")
	root.Flags().BoolP("version", "V", false, "print the version")
	addChatFlags(root, chatOpts)

	root.AddCommand(newCmdChat(newChatFactory(stdio, g), nil))
	// q settings reads the file unchecked: it is how bad values are fixed.
	root.AddCommand(NewCmdSettings(func() (*settings.Settings, error) { return settings.LoadUnchecked(settings.DefaultPath()) },
		stdio.Out, stdio.ErrOut))
	root.AddCommand(newCmdVersion(stdio))
	root.AddCommand(NewCmdAgent(stdio))
	root.AddCommand(NewCmdMCP(stdio))
	root.AddCommand(NewCmdDoctor(stdio))
	root.AddCommand(NewCmdTranslate(stdio, &g.verbose))
	root.AddCommand(NewCmdPolicy(stdio))
	root.AddCommand(NewCmdAudit(stdio))
	root.AddCommand(NewCmdServer(stdio, nil, nil), NewCmdAdmin(stdio))
	od := newOrgDeps(stdio)
	root.AddCommand(NewCmdLogin(od, nil), NewCmdLogout(od, nil), NewCmdWhoami(od, nil), NewCmdProfile(od, nil))
	return root
}

// unknownCommand refuses words given to q without a subcommand, as the Q
// CLI does: `q hello` is a mistyped or not yet existing command, and must
// never reach a model as a prompt. Only after chat options (q
// --no-interactive "question"), which make the intent to chat plain, are
// the words a prompt; --verbose alone says nothing about intent.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	chatFlags := cmd.Flags().NFlag()
	if cmd.Flags().Changed("verbose") {
		chatFlags--
	}
	if chatFlags > 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default for its messages
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return &ExitError{Code: 2, Err: fmt.Errorf("%s; to chat, run q chat %s", msg, strconv.Quote(strings.Join(args, " ")))}
}

func loadSettings() (*settings.Settings, error) {
	return settings.Load(settings.DefaultPath())
}

func newCmdVersion(stdio IO) *cobra.Command {
	var changelog string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(stdio.Out, "qdev %s\n", version.Version)
			if cmd.Flags().Changed("changelog") {
				fmt.Fprintln(stdio.Out, "No changelog is bundled with this build; see the project's commit history.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&changelog, "changelog", "", "show the changelog (all or a version)")
	cmd.Flags().Lookup("changelog").NoOptDefVal = "current"
	return cmd
}

// Main runs q with os.Args and returns the process exit code.
func Main() int {
	stdio := IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	root := NewRoot(stdio)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stdio.ErrOut, "q: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stdio.ErrOut, "q: %v\n", err)
	return 1
}
