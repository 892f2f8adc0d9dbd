package cli

import (
	"context"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/qdev/qdev/internal/session"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/translate"
)

// translator is what q translate needs from a session.
type translator interface {
	// Suggest asks the model for up to n commands for question.
	Suggest(ctx context.Context, question string, n int) ([]translate.Suggestion, error)
	// Run runs command as execute_bash would: judged by the same
	// permissions (confirm is asked when a rule beyond "not trusted" wants
	// approval), confined by the sandbox and recorded on the audit trail.
	// Its output goes to out; it returns the command's exit status.
	Run(ctx context.Context, command, question string, confirm func(why string) bool, out io.Writer) (int, error)
	Close()
}

// translateSession is a bare session (session.NewBare): the default
// agent's model and permissions, the sandbox and the audit trail.
type translateSession struct{ s *session.Session }

// openTranslator builds the session q translate runs in.
func openTranslator(ctx context.Context, stdio IO, verbose int) (translator, error) {
	s, err := session.NewBare(ctx, session.Options{In: stdio.In, ErrOut: stdio.ErrOut, Verbose: verbose})
	if err != nil {
		return nil, err
	}
	return &translateSession{s: s}, nil
}

func (t *translateSession) Close() { t.s.Close() }

func (t *translateSession) Suggest(ctx context.Context, question string, n int) ([]translate.Suggestion, error) {
	a := t.s.Agent()
	shell := "bash"
	if v := strings.TrimSpace(os.Getenv(tool.ShellEnvVar)); v != "" {
		shell = v
	}
	return translate.Ask(ctx, a.Provider(), a.ModelID(), translate.Request{Question: question, N: n,
		Shell: shell, OS: runtime.GOOS, Cwd: t.s.Cwd()})
}

func (t *translateSession) Run(ctx context.Context, command, question string, confirm func(string) bool, out io.Writer) (int, error) {
	return t.s.RunCommand(ctx, command, "q translate: "+question, confirm, out)
}
