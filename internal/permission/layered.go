package permission

import (
	"errors"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/tool"
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
	AWS func(acc tool.Access) (d Decision, judged bool)
}

// Decide judges a call: managed denies first, then the organisation's IAM
// policies for AWS calls, then the Checker, then the managed approval
// requirement.
func (l *Layered) Decide(toolName, server string, acc tool.Access) Decision {
	if rule, denied := l.Managed.DenyTool(toolName, server); denied {
		return l.managedDecision(Deny, managed.Blocked(rule))
	}
	if acc.Command != "" {
		if rule, denied := l.deniedCommand(acc.Command); denied {
			return l.managedDecision(Deny, managed.Blocked(rule))
		}
	}
	if l.AWS != nil {
		if d, judged := l.AWS(acc); judged && d.Kind == Deny {
			return d
		}
	}
	d := l.Checker.Decide(toolName, server, acc)
	if d.Kind == Allow {
		if rule, required := l.Managed.ApprovalRule(toolName, server); required {
			return l.managedDecision(Ask, "organisation policy requires approval: "+rule)
		}
	}
	return d
}

func (l *Layered) managedDecision(k Kind, rule string) Decision {
	d := Decision{Kind: k, Layer: LayerManaged, Rule: rule}
	if l.Managed != nil {
		d.Source = l.Managed.RuleSource(rule)
	}
	return d
}

// deniedCommand checks every simple command of a shell command line, and
// what wrappers such as sudo or bash -c run, against the managed
// deniedCommands. A line that cannot be parsed fails closed.
func (l *Layered) deniedCommand(line string) (string, bool) {
	if l.Managed == nil || len(l.Managed.DeniedCommands) == 0 {
		return "", false
	}
	if rule, denied := l.Managed.DenyCommand(line); denied {
		return rule, true
	}
	cmds, err := SimpleCommands(line)
	if err != nil {
		return "deniedCommands (the command could not be parsed, so it cannot be checked)", true
	}
	for len(cmds) > 0 {
		c := cmds[0]
		cmds = append(cmds[1:], c.Inner()...)
		if c.Dynamic {
			return "deniedCommands (a command name is computed at run time, so it cannot be checked)", true
		}
		if rule, denied := l.Managed.DenyCommand(c.Text); denied {
			return rule, true
		}
	}
	return "", false
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
