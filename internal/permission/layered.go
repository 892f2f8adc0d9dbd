package permission

import (
	"errors"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/shell"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/toolname"
)

// Layered puts the organisation's managed rules above a Checker. The user,
// agent and project layers below can only tighten what it decides: a
// managed deny beats every allow and every trust, and a tool that requires
// approval asks even when trusted.
type Layered struct {
	*Checker
	// Managed is the administrator's layer; nil or absent means none.
	Managed *managed.Settings
	// AWS, if set, judges the AWS calls a tool call makes against the
	// organisation's IAM policies; judged is false for calls that make none.
	// An Ask from it (a call it cannot judge) makes the call ask unless a
	// lower layer denies it.
	AWS func(acc tool.Access) (d Decision, judged bool)
}

// Decide judges a call: managed denies first, then the organisation's IAM
// policies for AWS calls, then the Checker, then the managed approval
// requirement. A shell command line is analysed once (shell.Cached) and
// every layer judges that analysis.
func (l *Layered) Decide(toolName, server string, acc tool.Access) Decision {
	if rule, denied := l.Managed.DenyTool(toolName, server); denied {
		return l.managedDecision(Deny, managed.Blocked(rule))
	}
	var floor *Decision // an Ask a lower layer may only turn into a Deny
	if acc.Command != "" {
		if k, rule := l.deniedCommand(shell.Cached(acc.Command)); k == Deny {
			return l.managedDecision(Deny, managed.Blocked(rule))
		} else if k == Ask {
			d := l.managedDecision(Ask, managed.Blocked(rule))
			floor = &d
		}
	}
	if l.AWS != nil {
		if d, judged := l.AWS(acc); judged && d.Kind == Deny {
			return d
		} else if judged && d.Kind == Ask && floor == nil {
			floor = &d
		}
	}
	d := l.Checker.Decide(toolName, server, acc)
	if floor != nil && d.Kind != Deny {
		return *floor
	}
	if d.Kind != Deny {
		// Whether or not a lower layer trusts the tool, it asks, and the
		// question says why; trusting it would change nothing.
		if rule, required := l.Managed.ApprovalRule(toolName, server); required {
			m := l.managedDecision(Ask, RequireApprovalReason+": "+rule)
			m.Reasons, m.AlwaysAsks = d.Reasons, true
			return m
		}
	}
	return d
}

// RequireApprovalReason begins the rule of an Ask the organisation's
// requireApproval caused.
const RequireApprovalReason = "organisation policy requires approval"

// Label describes for /tools how a tool is treated, the organisation's
// rules first: a tool the managed settings deny or always ask about says
// so, whatever the lower layers trust.
func (l *Layered) Label(toolName, server string) string {
	if rule, denied := l.Managed.DenyTool(toolName, server); denied {
		return "denied by organisation policy (" + rule + ")"
	}
	if rule, required := l.Managed.ApprovalRule(toolName, server); required {
		return "asks every time (" + RequireApprovalReason + ": " + rule + ")"
	}
	return l.Checker.Label(toolName, server)
}

// Trust trusts tools for the session, refusing those the organisation
// requires approval for: trusting them would change nothing.
func (l *Layered) Trust(names ...string) error {
	for _, n := range names {
		n = toolname.Pattern(n)
		server, tool := "", n
		if rest, ok := strings.CutPrefix(n, "@"); ok {
			server, tool, _ = strings.Cut(rest, "/")
		}
		if rule, required := l.Managed.ApprovalRule(tool, server); required {
			return fmt.Errorf("%s cannot be trusted: %s: %s, so it asks every time", n, RequireApprovalReason, rule)
		}
	}
	return l.Checker.Trust(names...)
}

func (l *Layered) managedDecision(k Kind, rule string) Decision {
	d := Decision{Kind: k, Layer: LayerManaged, Rule: rule}
	if l.Managed != nil {
		d.Source = l.Managed.RuleSource(rule)
	}
	return d
}

// deniedCommand checks every command of an analysed line, also those that
// wrappers, shells and interpreters run, in each of its forms, against the
// managed deniedCommands. It fails closed: a line that cannot be analysed
// and a program whose name is computed at run time are denied; code the
// analysis cannot read asks. Allow means nothing applies.
func (l *Layered) deniedCommand(a *shell.Analysis) (Kind, string) {
	if l.Managed == nil || len(l.Managed.DeniedCommands) == 0 {
		return Allow, ""
	}
	if rule, denied := l.Managed.DenyCommand(a.Line); denied {
		return Deny, rule
	}
	if a.Err != nil {
		return Deny, "deniedCommands (the command cannot be analysed, so it cannot be checked)"
	}
	for i := range a.Commands {
		for _, form := range a.Commands[i].Forms() {
			if rule, denied := l.Managed.DenyCommand(form); denied {
				return Deny, rule
			}
		}
	}
	if why := unknownProgram(a); why != "" {
		return Deny, "deniedCommands (" + why + ", so it cannot be checked and could be a denied command)"
	}
	if a.ControlChars {
		return Ask, "deniedCommands (the command contains control characters, so it cannot be checked)"
	}
	if why := hiddenCode(a); why != "" {
		return Ask, "deniedCommands (" + why + ", so it cannot be checked)"
	}
	return Allow, ""
}

// ErrTrustAllDisabled is returned when the organisation forbids trust-all.
var ErrTrustAllDisabled = errors.New(managed.Blocked("disableTrustAll"))

// TrustAll trusts every tool unless the managed layer forbids it.
func (l *Layered) TrustAll() error {
	if ok, rule := l.Managed.TrustAllAllowed(); !ok {
		return errors.New(managed.Blocked(rule))
	}
	l.Checker.TrustAll()
	return nil
}
