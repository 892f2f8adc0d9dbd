package cli

import (
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

	"github.com/qdev/qdev/internal/chat/lineedit"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/editor"
	"github.com/qdev/qdev/internal/translate"
)

// translateFactory holds what q translate depends on.
type translateFactory struct {
	IO IO
	// Interactive reports whether a user can answer: standard input and
	// output are terminals.
	Interactive func() bool
	// Open assembles the session that asks the model and runs commands.
	Open func(ctx context.Context) (translator, error)
	// Answers reads the user's answers (a line editor on the terminal).
	Answers lineReader
	// EditFile opens path in the user's $EDITOR.
	EditFile func(ctx context.Context, path string) error
}

// lineReader reads answers, Edit with the line prefilled.
type lineReader interface {
	ReadLine(prompt string) (string, error)
	Edit(prompt, text string) (string, error)
}

// translateOptions are the arguments of one q translate.
type translateOptions struct {
	*translateFactory
	Ctx      context.Context
	N        int
	Question string
}

// NewCmdTranslate returns `q translate [-n N] INPUT...`, which asks the
// model for up to N shell commands for a request in natural language and
// lets the user run, edit or copy one. Without a terminal it prints them.
func NewCmdTranslate(stdio IO, verbose *int) *cobra.Command {
	f := &translateFactory{
		IO: stdio,
		Interactive: func() bool {
			out, ok := stdio.Out.(*os.File)
			return ok && term.IsTerminal(int(stdio.In.Fd())) && term.IsTerminal(int(out.Fd()))
		},
		Open:     func(ctx context.Context) (translator, error) { return openTranslator(ctx, stdio, *verbose) },
		Answers:  lineedit.New(stdio.In, stdio.ErrOut, lineedit.Options{}),
		EditFile: runEditor,
	}
	return newCmdTranslate(f, nil)
}

func newCmdTranslate(f *translateFactory, runF func(*translateOptions) error) *cobra.Command {
	o := &translateOptions{translateFactory: f}
	if runF == nil {
		runF = translateRun
	}
	cmd := &cobra.Command{
		Use:   "translate [-n N] INPUT...",
		Short: "Translate natural language to shell commands",
		Long: "Ask the model for shell commands that do what INPUT says, then run, edit or copy one.\n" +
			"A command runs as the agent's execute_bash would: the same permissions (deny rules of the\n" +
			"organisation included), sandbox and audit trail. Without a terminal the commands are printed,\n" +
			"one per line.",
		Example: `  q translate "list all files in the current directory"
  q translate -n 3 "find all Python files modified in the last week"`,
		Args:          cobra.ArbitraryArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.N < 1 || o.N > translate.MaxSuggestions {
				return &ExitError{Code: 2, Err: fmt.Errorf("invalid -n %d: between 1 and %d commands", o.N, translate.MaxSuggestions)}
			}
			o.Question = strings.TrimSpace(strings.Join(args, " "))
			if o.Question == "" {
				return &ExitError{Code: 2, Err: errors.New(`say what the command should do, e.g. q translate "list all files"`)}
			}
			o.Ctx = cmd.Context()
			if o.Ctx == nil {
				o.Ctx = context.Background()
			}
			return runF(o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &ExitError{Code: 2, Err: err} })
	cmd.Flags().IntVarP(&o.N, "n", "n", 1, fmt.Sprintf("number of commands to propose (at most %d)", translate.MaxSuggestions))
	return cmd
}

func translateRun(o *translateOptions) error {
	// Ctrl-C stops the model call or the command (which runs in its own
	// process group), never leaving it behind.
	ctx, stop := signal.NotifyContext(o.Ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	t, err := o.Open(ctx)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer t.Close()
	sugg, err := t.Suggest(ctx, o.Question, o.N)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	if !o.Interactive() {
		for _, s := range sugg {
			fmt.Fprintln(o.IO.Out, s.Command)
		}
		return nil
	}
	showSuggestions(o.IO.ErrOut, sugg)
	command, ok := pick(o, sugg)
	if !ok {
		return nil
	}
	return o.act(ctx, t, command)
}

// showSuggestions lists the commands, numbered, with their explanations;
// commands come from the model, so they are shown with every character
// visible.
func showSuggestions(w io.Writer, sugg []translate.Suggestion) {
	for i, s := range sugg {
		fmt.Fprintf(w, "%2d. %s\n", i+1, indentLines(termwidth.Visible(s.Command), "    "))
		if s.Explanation != "" {
			fmt.Fprintf(w, "    %s\n", termwidth.Visible(s.Explanation))
		}
	}
}

func indentLines(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// pick asks which command to use when there is more than one.
func pick(o *translateOptions, sugg []translate.Suggestion) (string, bool) {
	if len(sugg) == 1 {
		return sugg[0].Command, true
	}
	for {
		line, err := o.Answers.ReadLine(fmt.Sprintf("Which command? [1-%d, q to quit]: ", len(sugg)))
		if err != nil {
			return "", false
		}
		line = strings.TrimSpace(line)
		if line == "q" || line == "quit" {
			return "", false
		}
		if n := atoiPositive(line); n >= 1 && n <= len(sugg) {
			return sugg[n-1].Command, true
		}
	}
}

// act offers run, edit, copy or quit for command until one ends it.
func (o *translateOptions) act(ctx context.Context, t translator, command string) error {
	w := o.IO.ErrOut
	for {
		fmt.Fprintf(w, "\n  %s\n\n", indentLines(termwidth.Visible(command), "  "))
		line, err := o.Answers.ReadLine("[r]un, [e]dit, edit in $[E]DITOR, [c]opy, [q]uit: ")
		if err != nil {
			return nil // Ctrl-C or Ctrl-D: nothing runs
		}
		switch strings.TrimSpace(line) {
		case "r", "run":
			return o.run(ctx, t, command)
		case "e", "edit":
			if edited, err := o.Answers.Edit("$ ", command); err == nil && strings.TrimSpace(edited) != "" {
				command = strings.TrimSpace(edited)
			}
		case "E", "editor":
			edited, err := o.editInEditor(ctx, command)
			if err != nil {
				fmt.Fprintf(w, "The editor failed: %v\n", err)
			} else if edited != "" {
				command = edited
			}
		case "c", "copy":
			fmt.Fprintln(o.IO.Out, command)
			return nil
		case "q", "quit":
			return nil
		}
	}
}

// run runs command and exits with its status.
func (o *translateOptions) run(ctx context.Context, t translator, command string) error {
	confirm := func(why string) bool {
		line, err := o.Answers.ReadLine(fmt.Sprintf("⚠ %s\nRun it? [y/N]: ", why))
		return err == nil && strings.EqualFold(strings.TrimSpace(line), "y")
	}
	code, err := t.Run(ctx, command, o.Question, confirm, o.IO.Out)
	switch {
	case ctx.Err() != nil:
		return &ExitError{Code: 130, Err: errors.New("interrupted")}
	case err != nil:
		return &ExitError{Code: 1, Err: err}
	case code != 0:
		return &ExitError{Code: code}
	}
	return nil
}

// editInEditor opens command in $EDITOR and returns what was saved.
func (o *translateOptions) editInEditor(ctx context.Context, command string) (string, error) {
	f, err := os.CreateTemp("", "qdev-command-*.sh")
	if err != nil {
		return "", err
	}
	path := f.Name()
	defer os.Remove(path)
	_, err = f.WriteString(command + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := o.EditFile(ctx, path); err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// runEditor runs $EDITOR on path with the terminal.
func runEditor(ctx context.Context, path string) error {
	cmd := editor.Command(ctx, path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Run()
}

func atoiPositive(s string) int {
	n := 0
	if s == "" || len(s) > 3 {
		return 0
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
