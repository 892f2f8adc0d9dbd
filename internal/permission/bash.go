package permission

import (
	"path"
	"strings"
)

const readOnlyRule = "read-only command (toolsSettings.execute_bash.autoAllowReadonly)"

// decideBash judges execute_bash. The order is the original's (study §2.5):
// deniedCommands, then trust, then allowedCommands and the read-only rules,
// then denyByDefault. What differs is the unit being judged: the command is
// parsed as bash and each simple command in it must pass on its own.
//
//   - deniedCommands deny when they match the whole command (as in the
//     original) or any simple command in it, in its source form, its
//     unquoted form, with its name stripped of a directory ("/bin/rm"), or
//     once unwrapped (sudo rm, bash -c 'rm', find -exec rm, see Cmd.Inner).
//   - allowedCommands must match each simple command's Text (or Text and
//     its redirections); read-only commands pass with autoAllowReadonly.
//   - A command writing a file through a redirection passes only when an
//     allowedCommands pattern matches the whole command line.
//   - A command that does not parse, holds control characters other than
//     tab and newline (bash and the parser disagree on "\r"), or has no
//     command at all is never allowed by allowedCommands or read-only rules.
//     With deny rules configured, such a command, or one whose name is
//     computed at run time ("$X -rf /"), is not allowed by trust either,
//     since the rules cannot be checked against it.
func (c *Checker) decideBash(command string, tr trust) Decision {
	s := c.bash
	if s.invalid != "" {
		return ask(LayerAgent, s.invalid)
	}
	cmds, perr := SimpleCommands(command)
	if len(s.denied) > 0 {
		hits, unsure := s.deniedBy(command, cmds)
		if len(hits) > 0 {
			return deny(LayerAgent, `toolsSettings.execute_bash.deniedCommands "`+hits[0]+`"`, hits...)
		}
		if unsure != "" {
			return s.notAllowed(unsure + ", so deniedCommands cannot be checked")
		}
		if perr != nil {
			return s.notAllowed("the command does not parse as bash, so deniedCommands cannot be checked: " + perr.Error())
		}
		if hasControlChars(command) {
			return s.notAllowed("the command contains control characters, so deniedCommands cannot be checked")
		}
	}
	if tr.trusted {
		return allow(tr.layer, tr.rule)
	}
	if tr.untrusted {
		return ask(tr.layer, "not trusted")
	}
	switch {
	case perr != nil:
		return s.notAllowed("the command does not parse as bash: " + perr.Error())
	case hasControlChars(command):
		return s.notAllowed("the command contains control characters")
	case len(cmds) == 0:
		return s.notAllowed("no command to run")
	}
	whole := s.allowedMatch(strings.TrimSpace(command))
	var rules, unasked []string
	for _, cmd := range cmds {
		switch {
		case cmd.WritesFiles:
			if whole == "" {
				unasked = append(unasked, cmd.Text+" (writes a file)")
				continue
			}
			rules = append(rules, `toolsSettings.execute_bash.allowedCommands "`+whole+`"`)
		default:
			if p := s.allowedCmd(cmd); p != "" {
				rules = append(rules, `toolsSettings.execute_bash.allowedCommands "`+p+`"`)
			} else if s.autoAllowReadonly && IsReadOnly(cmd) {
				rules = append(rules, readOnlyRule)
			} else {
				unasked = append(unasked, cmd.Text)
			}
		}
	}
	if len(unasked) > 0 {
		return s.notAllowed(unasked...)
	}
	return allow(LayerAgent, strings.Join(dedupe(rules), "; "))
}

// notAllowed is the verdict for commands no rule allows: Deny with
// denyByDefault, else Ask.
func (s bashSettings) notAllowed(details ...string) Decision {
	if s.denyByDefault {
		return deny(LayerAgent, "toolsSettings.execute_bash.denyByDefault", append([]string{"not in allowed commands list"}, details...)...)
	}
	if len(s.allowed) == 0 && !s.autoAllowReadonly {
		return ask(LayerDefault, "not trusted", details...)
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

func (s bashSettings) allowedCmd(c Cmd) string {
	if p := s.allowedMatch(c.Text); p != "" {
		return p
	}
	if len(c.Redirects) > 0 {
		return s.allowedMatch(c.Text + " " + strings.Join(c.Redirects, " "))
	}
	return ""
}

// maxUnwrapDepth and maxUnwrapped bound the recursion through Cmd.Inner
// ("sudo bash -c 'env rm …'") so that "sudo sudo sudo …" stays cheap.
const (
	maxUnwrapDepth = 4
	maxUnwrapped   = 256
)

// deniedBy returns the deniedCommands patterns matching the command. When
// no pattern matches but some command could not be seen through (its name
// is computed, as in "$X -rf /" or "{rm,-rf,/}", or the nesting is too
// deep), it says why instead.
func (s bashSettings) deniedBy(command string, cmds []Cmd) (hits []string, unsure string) {
	check := func(text string) {
		for _, r := range s.denied {
			if r.re.MatchString(text) {
				hits = append(hits, r.orig)
			}
		}
	}
	check(command)
	check(strings.TrimSpace(command))
	budget := maxUnwrapped
	var visit func(c Cmd, depth int)
	visit = func(c Cmd, depth int) {
		if c.Dynamic && unsure == "" {
			unsure = "the command name " + c.Name + " is computed when it runs"
		}
		check(c.Text)
		if len(c.Redirects) > 0 {
			check(c.Text + " " + strings.Join(c.Redirects, " "))
		}
		check(strings.Join(c.Args, " "))
		if base := path.Base(c.Name); c.Name != "" && base != c.Name && len(c.Args) > 0 {
			check(strings.Join(append([]string{base}, c.Args[1:]...), " "))
		}
		inner := c.Inner()
		if len(inner) > 0 && (depth >= maxUnwrapDepth || budget < len(inner)) {
			unsure = "commands are nested too deeply"
			return
		}
		budget -= len(inner)
		for _, in := range inner {
			visit(in, depth+1)
		}
	}
	for _, c := range cmds {
		visit(c, 0)
	}
	return dedupe(hits), unsure
}

// hasControlChars reports C0 control characters other than tab and
// newline, and DEL.
func hasControlChars(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f
	}) >= 0
}
