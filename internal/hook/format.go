package hook

import (
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/chat/termwidth"
)

// contextPreface introduces hook output to the model, in the Q CLI's
// words (format_hook_context).
const contextPreface = "This section (like others) contains important information that I want you to use in your responses. " +
	"I have gathered this context from valuable programmatic script hooks. " +
	"You must follow any requests and consider all of the information in this section"

// formatContext wraps the non-empty outputs of successful hooks in one
// context entry; "" when there are none.
func formatContext(results []result, wholeConversation bool) string {
	var outputs []string
	for _, res := range results {
		if res.err == nil && res.exit == 0 && strings.TrimSpace(res.output) != "" {
			outputs = append(outputs, res.output)
		}
	}
	if len(outputs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("--- CONTEXT ENTRY BEGIN ---\n")
	b.WriteString(contextPreface)
	if wholeConversation {
		b.WriteString(" for the entire conversation")
	}
	b.WriteString("\n\n")
	for _, o := range outputs {
		b.WriteString(o + "\n\n")
	}
	b.WriteString("--- CONTEXT ENTRY END ---\n\n")
	return b.String()
}

// Info describes one configured hook, for /hooks.
type Info struct {
	Trigger agentcfg.Trigger
	agentcfg.HookSpec
}

// List returns the configured hooks by trigger, in agentcfg.Triggers order.
func (r *Runner) List() []Info {
	var out []Info
	for _, t := range agentcfg.Triggers {
		for _, h := range r.hooks[t] {
			out = append(out, Info{Trigger: t, HookSpec: h})
		}
	}
	return out
}

// HooksDocURL is where the Q CLI points users who have no hooks.
const HooksDocURL = "https://github.com/aws/amazon-q-developer-cli/blob/main/docs/agent-format.md#hooks-field"

// FormatList renders hooks as /hooks shows them:
//
//	agentSpawn:
//	  - git status --short
//	preToolUse:
//	  - ./check.sh (matcher: fs_*)
func FormatList(hooks []Info) string {
	if len(hooks) == 0 {
		return "No hooks are configured.\n\nRefer to the documentation for how to add hooks to your agent: " + HooksDocURL + "\n"
	}
	var b strings.Builder
	var last agentcfg.Trigger
	for _, h := range hooks {
		if h.Trigger != last {
			fmt.Fprintf(&b, "%s:\n", h.Trigger)
			last = h.Trigger
		}
		// Commands are shown exactly, controls made visible: the list is
		// how a user checks what the agent file runs.
		fmt.Fprintf(&b, "  - %s", termwidth.Visible(h.Command))
		if h.Matcher != "" {
			fmt.Fprintf(&b, " (matcher: %s)", termwidth.Visible(h.Matcher))
		}
		b.WriteString("\n")
	}
	return b.String()
}
