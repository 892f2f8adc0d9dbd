// Package permission decides, for every tool call, whether it runs without
// asking (Allow), needs the user's approval (Ask) or is refused (Deny).
//
// The rules are the Amazon Q Developer CLI's: the agent's allowedTools
// patterns, its per-tool toolsSettings, the session's trust changes
// (/tools trust, untrust, trust-all, reset, --trust-tools, --untrust-fs-read)
// and the implicit trust of reads inside the working directory. Deny rules
// always win, also over trust-all.
//
// One deliberate improvement over the original: execute_bash commands are
// analysed as bash (see package shell) and every simple command is judged
// on its own, instead of refusing any command that contains $, ;, > or a
// newline.
package permission

// Kind is the verdict on a tool call.
type Kind int

const (
	// Allow runs the call without asking.
	Allow Kind = iota
	// Ask runs the call only after the user approves it.
	Ask
	// Deny refuses the call; the user is not asked.
	Deny
)

// String returns "allow", "ask" or "deny".
func (k Kind) String() string {
	switch k {
	case Allow:
		return "allow"
	case Ask:
		return "ask"
	case Deny:
		return "deny"
	}
	return "unknown"
}

// Layer names the configuration layer whose rule reached a decision. The
// audit record and the displays take it from here, never from the wording
// of Rule.
type Layer string

const (
	// LayerDefault is qdev's built-in behaviour: tools that are always
	// allowed, reads in the working directory, and asking when nothing
	// trusts a tool.
	LayerDefault Layer = "default"
	// LayerManaged is the organisation's managed settings.
	LayerManaged Layer = "managed"
	// LayerAgent is the agent file: allowedTools and toolsSettings.
	LayerAgent Layer = "agent"
	// LayerFlag is a launch flag: --trust-tools, --trust-all-tools.
	LayerFlag Layer = "flag"
	// LayerSession is a trust change made during the session: /tools
	// trust, /tools trust-all, or "t" at an approval question.
	LayerSession Layer = "session"
	// LayerHook is a preToolUse hook that blocked the call.
	LayerHook Layer = "hook"
	// LayerIAMPolicy is the organisation's IAM policies, judging an AWS call.
	LayerIAMPolicy Layer = "iam-policy"
)

// Decision is the verdict on one tool call and why it was reached.
type Decision struct {
	Kind Kind
	// Layer is the layer whose rule decided.
	Layer Layer
	// Source is where that rule is written, when known: the agent file or
	// managed settings file, or the flag.
	Source string
	// Reasons details the verdict: the deny patterns that matched, or, for
	// Ask, what was not covered by any rule (paths, commands, operations).
	Reasons []string
	// Rule names what decided, for people: e.g.
	// `toolsSettings.execute_bash.deniedCommands "rm .*"`,
	// "trusted for this session", "working directory read".
	Rule string
	// AlwaysAsks marks an Ask that trusting the tool cannot end (the
	// organisation's requireApproval): the question offers no "t".
	AlwaysAsks bool
	// Untrusted marks an Ask made only because nothing trusts the call: no
	// rule asked for approval, so there is no reason to show beyond that.
	Untrusted bool
}

func allow(layer Layer, rule string) Decision {
	return Decision{Kind: Allow, Layer: layer, Rule: rule}
}

func ask(layer Layer, rule string, reasons ...string) Decision {
	return Decision{Kind: Ask, Layer: layer, Rule: rule, Reasons: reasons}
}

// untrusted is the Ask of a call that no rule trusts (and none asks for).
func untrusted(layer Layer, reasons ...string) Decision {
	d := ask(layer, "not trusted", reasons...)
	d.Untrusted = true
	return d
}

func deny(layer Layer, rule string, reasons ...string) Decision {
	return Decision{Kind: Deny, Layer: layer, Rule: rule, Reasons: reasons}
}

// dedupe returns ss without repeated entries, keeping the first occurrence.
func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
