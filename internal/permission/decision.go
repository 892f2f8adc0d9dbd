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
// parsed as bash (see SimpleCommands) and every simple command is judged on
// its own, instead of refusing any command that contains $, ;, > or a newline.
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

// Decision is the verdict on one tool call and why it was reached.
type Decision struct {
	Kind Kind
	// Reasons details the verdict: the deny patterns that matched, or, for
	// Ask, what was not covered by any rule (paths, commands, operations).
	Reasons []string
	// Rule names what decided, for people: e.g.
	// `toolsSettings.execute_bash.deniedCommands "rm .*"`,
	// "trusted for this session", "working directory read".
	Rule string
}

func allow(rule string) Decision { return Decision{Kind: Allow, Rule: rule} }

func ask(rule string, reasons ...string) Decision {
	return Decision{Kind: Ask, Rule: rule, Reasons: reasons}
}

func deny(rule string, reasons ...string) Decision {
	return Decision{Kind: Deny, Rule: rule, Reasons: reasons}
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
