package permission

import (
	"strings"

	"github.com/qdev/qdev/internal/shell"
)

const readOnlyRule = "read-only command (toolsSettings.execute_bash.autoAllowReadonly)"

// decideBash judges execute_bash. The order is the original's:
// deniedCommands, then trust, then allowedCommands and the read-only rules,
// then denyByDefault. What differs is the unit being judged: the command
// line is analysed once (shell.Cached) and each simple command in it is
// judged on its own.
//
//   - deniedCommands deny when they match the whole line (as in the
//     original) or any command in it, also one that another runs (sudo rm,
//     bash -c 'rm', echo rm | sh, find -exec rm, eval), in its canonical
//     form (quotes and escapes resolved), with its name stripped of a
//     directory, or as written (see bashDenied).
//   - fs_read and fs_write deniedPaths deny a line naming a denied path
//     (see shellDeniedPaths).
//   - A line that does not parse, holds control characters, or runs a
//     program whose name is computed at run time cannot be checked: with
//     deny rules configured the first two ask even under trust, the last
//     is denied, as it could be a denied program. Code the analysis cannot
//     read (a script file, inline Python) asks even under trust.
//   - Otherwise every command of the line must be allowed on its own: by
//     an allowedCommands pattern matching that command (with its
//     redirections when it redirects to a file or the network), or, with
//     autoAllowReadonly, by the read-only rules (IsReadOnly).
func (c *Checker) decideBash(command string, tr trust) Decision {
	s := c.bash
	if s.invalid != "" {
		return ask(LayerAgent, s.invalid)
	}
	a := shell.Cached(command)
	if d, decided := c.shellDeniedPaths(a); decided {
		return d
	}
	if len(s.denied) > 0 {
		if d, decided := s.bashDenied(a); decided {
			return d
		}
	}
	if tr.trusted {
		return allow(tr.layer, tr.rule)
	}
	if tr.untrusted {
		return untrusted(tr.layer)
	}
	switch {
	case a.Err != nil:
		return s.notAllowed("the command cannot be analysed: " + a.Err.Error())
	case a.ControlChars:
		return s.notAllowed("the command contains control characters")
	case len(a.Commands) == 0:
		return s.notAllowed("no command to run")
	}
	var rules, unasked []string
	for i := range a.Commands {
		cmd := &a.Commands[i]
		if cmd.Via != shell.ViaLine {
			continue // run by a command judged here, or only maybe code
		}
		if p := s.allowedCmd(cmd); p != "" {
			rules = append(rules, `toolsSettings.execute_bash.allowedCommands "`+p+`"`)
		} else if s.autoAllowReadonly && IsReadOnly(cmd) {
			rules = append(rules, readOnlyRule)
		} else {
			unasked = append(unasked, describe(cmd))
		}
	}
	if len(unasked) > 0 {
		return s.notAllowed(unasked...)
	}
	return allow(LayerAgent, strings.Join(dedupe(rules), "; "))
}

// describe names a command for an approval reason.
func describe(c *shell.Command) string {
	text := c.Text
	if len(c.Redirects) > 0 {
		text = strings.TrimSpace(text + " " + strings.Join(c.Redirects, " "))
	}
	switch {
	case c.Redirected.Has(shell.Writes):
		return text + " (writes a file)"
	case c.Redirected.Has(shell.Network):
		return text + " (reaches the network)"
	}
	return text
}

// notAllowed is the verdict for commands no rule allows: Deny with
// denyByDefault, else Ask.
func (s bashSettings) notAllowed(details ...string) Decision {
	if s.denyByDefault {
		return deny(LayerAgent, "toolsSettings.execute_bash.denyByDefault", append([]string{"not in allowed commands list"}, details...)...)
	}
	if len(s.allowed) == 0 && !s.autoAllowReadonly {
		return untrusted(LayerDefault, details...)
	}
	return ask(LayerAgent, "not covered by allowedCommands or the read-only rules", details...)
}

// allowedMatch returns the first allowedCommands pattern matching text.
func (s bashSettings) allowedMatch(text string) string {
	for _, r := range s.allowed {
		if r.re.MatchString(text) {
			return r.orig
		}
	}
	return ""
}

// allowedCmd returns the allowedCommands pattern allowing c. A pattern
// matching the command allows what the program does. What its
// redirections do (write a file, reach the network) needs a pattern that
// names them: one matching the command with its redirections but not
// without ("git log > log.txt" does, "ls.*" does not allow "ls > ~/.bashrc").
func (s bashSettings) allowedCmd(c *shell.Command) string {
	if c.Redirected == 0 {
		if p := s.allowedMatch(c.Text); p != "" {
			return p
		}
		if canon := c.Canonical(); canon != c.Text && len(c.Assigns) == 0 {
			return s.allowedMatch(canon)
		}
		return ""
	}
	if len(c.Redirects) == 0 {
		return "" // redirected by a compound command around it
	}
	with := strings.TrimSpace(c.Text + " " + strings.Join(c.Redirects, " "))
	for _, r := range s.allowed {
		if r.re.MatchString(with) && !r.re.MatchString(c.Text) {
			return r.orig
		}
	}
	return ""
}
