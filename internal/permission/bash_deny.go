package permission

import (
	"strings"

	"github.com/qdev/qdev/internal/shell"
)

// bashDenied applies deniedCommands to an analysed line. The patterns
// are tried on the whole line, as the original does, and on every form
// of every command the line runs (shell.Command.Forms). What cannot be
// checked fails closed: a command name computed at run time could be a
// denied one and is denied; a line that does not parse, holds control
// characters or runs code the analysis cannot read asks, even under trust.
func (s bashSettings) bashDenied(a *shell.Analysis) (Decision, bool) {
	var hits []string
	check := func(text string) {
		for _, r := range s.denied {
			if r.re.MatchString(text) {
				hits = append(hits, r.orig)
			}
		}
	}
	check(a.Line)
	check(strings.TrimSpace(a.Line))
	for i := range a.Commands {
		c := &a.Commands[i]
		for _, f := range c.Forms() {
			check(f)
		}
		if len(c.Redirects) > 0 {
			check(strings.TrimSpace(c.Text + " " + strings.Join(c.Redirects, " ")))
		}
	}
	if len(hits) > 0 {
		hits = dedupe(hits)
		return deny(LayerAgent, `toolsSettings.execute_bash.deniedCommands "`+hits[0]+`"`, hits...), true
	}
	const cannot = ", so deniedCommands cannot be checked"
	switch {
	case a.Err != nil:
		return s.notAllowed("the command cannot be analysed (" + a.Err.Error() + ")" + cannot), true
	case a.ControlChars:
		return s.notAllowed("the command contains control characters" + cannot), true
	}
	if why := unknownProgram(a); why != "" {
		return deny(LayerAgent, "toolsSettings.execute_bash.deniedCommands", why+", which could be a denied command"), true
	}
	if why := hiddenCode(a); why != "" {
		return s.notAllowed(why + cannot), true
	}
	return Decision{}, false
}

// unknownProgram describes the first command that runs a program the
// analysis cannot name, or returns "".
func unknownProgram(a *shell.Analysis) string {
	for i := range a.Commands {
		c := &a.Commands[i]
		// Text that bash may evaluate later (an array subscript in a
		// variable used in arithmetic, ${x@P}) counts too: a name computed
		// there is as unknown as one on the line itself.
		switch {
		case c.Unknown:
			return "the command name in " + quote(c.Text) + " is computed when it runs"
		case c.Via == shell.ViaMaybe:
		case c.Effects.Has(shell.UnknownCode):
			return quote(c.Text) + " runs code computed when it runs"
		}
	}
	return ""
}

// hiddenCode describes the first command that runs code the analysis does
// not read, or returns "".
func hiddenCode(a *shell.Analysis) string {
	for i := range a.Commands {
		if c := &a.Commands[i]; c.Via != shell.ViaMaybe && c.Effects.Has(shell.HiddenCode) {
			return quote(c.Text) + " runs code qdev cannot read"
		}
	}
	return ""
}

func quote(s string) string { return "`" + s + "`" }
