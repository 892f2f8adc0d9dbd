package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/permission"
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

// translateSession is a chat session's model, permissions, sandbox and
// audit trail, without MCP servers, hooks or a stored conversation.
type translateSession struct{ s *setup }

// openTranslator assembles the session q translate runs in: the default
// agent's model and permissions (a workspace agent file's grants only if
// the workspace is trusted, never asked here) and the managed layer.
func openTranslator(ctx context.Context, stdio IO, verbose int) (translator, error) {
	s := &setup{o: &chatOptions{io: stdio, global: &globalOptions{verbose: verbose}, noInteractive: true}, started: true}
	if err := s.loadBase(); err != nil {
		return nil, err
	}
	cfg, err := s.chooseAgent()
	if err != nil {
		s.close()
		return nil, err
	}
	ref, provider, modelID, err := s.openModel(ctx, cfg, nil)
	if err != nil {
		s.close()
		return nil, err
	}
	s.cfg = cfg
	s.gateWorkspace(cfg, nil)
	checker, warnings, err := permission.New(s.permConfig(cfg), s.popts)
	if err != nil {
		s.close()
		return nil, err
	}
	for _, w := range warnings {
		s.warn("%s", w)
	}
	if err := s.openAudit(); err != nil {
		s.close()
		return nil, err
	}
	if err := s.toolEnv(func() string { return "" }); err != nil {
		s.close()
		return nil, err
	}
	s.agent = &agent.Agent{Config: agent.Config{Provider: provider, ModelID: modelID, Env: s.env, Log: s.log,
		Permissions: s.layered(checker)}, Conv: agent.NewConversation(ref, cfg.Name, s.cwd)}
	return &translateSession{s: s}, nil
}

func (t *translateSession) Close() { t.s.close() }

func (t *translateSession) Suggest(ctx context.Context, question string, n int) ([]translate.Suggestion, error) {
	a := t.s.agent
	shell := "bash"
	if v := strings.TrimSpace(os.Getenv(tool.ShellEnvVar)); v != "" {
		shell = v
	}
	return translate.Ask(ctx, a.Provider, a.ModelID, translate.Request{Question: question, N: n,
		Shell: shell, OS: runtime.GOOS, Cwd: t.s.cwd})
}

func (t *translateSession) Run(ctx context.Context, command, question string, confirm func(string) bool, out io.Writer) (int, error) {
	s := t.s
	// The user watches the command and can stop it with Ctrl-C: it gets
	// the longest timeout execute_bash allows.
	input, err := json.Marshal(map[string]any{"command": command, "summary": "q translate: " + question,
		"timeout_seconds": int(tool.MaxCommandTimeout.Seconds())})
	if err != nil {
		return 0, err
	}
	bash := tool.ExecuteBash{}
	inv, err := bash.Prepare(s.env, input)
	if err != nil {
		return 0, err
	}
	c := &agent.Call{ID: "translate", Name: "execute_bash", Input: input, Tool: bash, Inv: inv}
	c.Decision = s.agent.Permissions.Decide(c.Name, "", inv.Access())
	refuse := func(a agent.Approval, msg string) (int, error) {
		c.Approval = a
		s.record(c, tool.ErrorResult(msg))
		s.flushAudit()
		return 0, fmt.Errorf("%s", msg)
	}
	switch c.Decision.Kind {
	case permission.Deny:
		return refuse(agent.DeniedByRule, "not run: "+termwidth.Visible(decisionText(c.Decision)))
	case permission.Allow:
		c.Approval = agent.AllowedByRule
	default:
		// Choosing to run the command is the user's approval, as 'y' is in
		// a chat; a rule that asks for more (the organisation's
		// requireApproval, say) is shown and asked about first.
		if d := c.Decision; d.Rule != "" && d.Rule != "not trusted" && !confirm(termwidth.Visible(decisionText(d))) {
			return refuse(agent.DeniedByUser, "not run: you declined")
		}
		c.Approval = agent.AllowedOnce
	}
	if err := s.auditReady(c); err != nil {
		c.Approval = agent.NotApproved
		s.record(c, tool.ErrorResult("Not run: "+err.Error()))
		s.flushAudit()
		return 0, fmt.Errorf("not run: %v", err)
	}
	res := inv.Run(ctx, out)
	s.record(c, res)
	s.flushAudit()
	if res.IsError && ctx.Err() == nil && res.ExitStatus == 0 {
		// The command did not start (no shell, the sandbox refused it).
		return 0, fmt.Errorf("%s", firstLineOf(resultText(res)))
	}
	return res.ExitStatus, ctx.Err()
}

// decisionText renders a permission decision in one line: its rule and reasons.
func decisionText(d permission.Decision) string {
	s := d.Rule
	if len(d.Reasons) > 0 {
		s += ": " + strings.Join(d.Reasons, ", ")
	}
	return s
}

func resultText(r tool.Result) string {
	var b strings.Builder
	for _, c := range r.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}
