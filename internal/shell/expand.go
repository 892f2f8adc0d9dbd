package shell

import (
	"errors"
	"path"
	"strings"
)

// expandInner works out each command's program effects and appends the
// commands it runs, recursively, drawing on the analysis's budget.
func expandInner(a *Analysis, b *budget) error {
	aliases := map[string]string{}
	written := map[string]string{} // literal file contents the line writes
	for i := 0; i < len(a.Commands); i++ {
		if len(a.Commands) > maxCommands {
			return ErrBudget
		}
		c := &a.Commands[i]
		ins := append(programEffects(c), c.runs...)
		if c.Via != ViaMaybe {
			recordWrites(c, written)
			ins = append(ins, writtenScripts(c, written)...)
		}
		if c.Via != ViaMaybe {
			defineAliases(c, aliases)
		}
		if body, ok := aliases[c.Name]; ok && c.Via != ViaMaybe {
			// An alias defined earlier may replace the name.
			c.Effects |= Executes
			ins = append(ins, inner{script: body + " " + quoteWords(c.Args[1:]), isScript: true, via: ViaRuns})
		}
		for _, m := range c.maybe {
			for _, sub := range substitutions(m, maxInner) {
				ins = append(ins, inner{script: sub, isScript: true, via: ViaMaybe})
			}
		}
		depth, via := c.depth+1, c.Via
		if len(ins) > 0 && depth > maxDepth {
			return ErrBudget
		}
		var found []Command
		for _, in := range ins {
			cmds, err := in.commands(b, depth)
			if errors.Is(err, ErrBudget) {
				return err
			}
			if err != nil || in.unknown {
				if in.via != ViaMaybe {
					// The shell would run what it can of it; what runs
					// cannot be known.
					a.Commands[i].Effects |= UnknownCode
				}
				if err != nil {
					continue
				}
			}
			for j := range cmds {
				cmds[j].Parent = i
				cmds[j].Via = max(in.via, via)
				cmds[j].depth = depth
			}
			found = append(found, cmds...)
		}
		a.Commands = append(a.Commands, found...)
	}
	if pathChanged(a) {
		// A command name may now find another program, one the agent
		// wrote: what runs cannot be read.
		for i := range a.Commands {
			a.Commands[i].Effects |= Executes | HiddenCode
		}
	}
	return nil
}

// defineAliases records the aliases c defines: alias NAME=BODY, and
// hash -p PATH NAME, which makes NAME run PATH.
func defineAliases(c *Command, aliases map[string]string) {
	switch c.Base() {
	case "alias":
		for _, a := range c.Args[1:] {
			if name, body, ok := strings.Cut(a, "="); ok {
				aliases[name] = body
			}
		}
	case "hash":
		for i := 1; i+2 < len(c.Args); i++ {
			if c.Args[i] == "-p" {
				c.Effects |= EnablesAliases
				aliases[c.Args[i+2]] = quoteWords(c.Args[i+1 : i+2])
			}
		}
	}
}

// pathChanged reports whether the line assigns PATH (PATH=…, export,
// declare), after which names resolve elsewhere.
func pathChanged(a *Analysis) bool {
	for i := range a.Commands {
		c := &a.Commands[i]
		if c.Via == ViaMaybe {
			continue
		}
		for _, as := range c.Assigns {
			if strings.HasPrefix(as, "PATH=") || strings.HasPrefix(as, "PATH+=") {
				return true
			}
		}
		if c.Effects.Has(SetsVariables) && len(c.Args) > 0 {
			for _, arg := range c.Args[1:] {
				if strings.HasPrefix(arg, "PATH=") || strings.HasPrefix(arg, "PATH+=") {
					return true
				}
			}
		}
		if c.Name == "" && strings.HasPrefix(c.Text, "PATH") {
			return true
		}
	}
	return false
}

// quoteWords joins words into shell text that gives them back.
func quoteWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// commands returns the simple commands of in.
func (in inner) commands(b *budget, depth int) ([]Command, error) {
	if in.isScript {
		return b.parse(in.script, depth)
	}
	if len(in.args) == 0 {
		return nil, nil
	}
	c := Command{Args: in.args, kinds: in.kinds, Text: strings.Join(in.args, " ")}
	c.setKinds()
	c.DynamicArgs = c.DynamicArgs || in.moreArgs
	return []Command{c}, nil
}

// substitutions returns the texts of the command substitutions, $(…) and
// `…`, in literal text that bash may later evaluate ("a[$(rm x)]").
func substitutions(text string, limit int) []string {
	var out []string
	for i := 0; i < len(text) && len(out) < limit; i++ {
		switch {
		case text[i] == '`':
			end := strings.IndexByte(text[i+1:], '`')
			if end < 0 {
				return append(out, text[i+1:])
			}
			out = append(out, text[i+1:i+1+end])
			i += end + 1
		case strings.HasPrefix(text[i:], "$("):
			depth, j := 0, i+1
			for ; j < len(text); j++ {
				if text[j] == '(' {
					depth++
				} else if text[j] == ')' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			body := text[i+2 : min(j, len(text))]
			if strings.HasPrefix(body, "(") { // $((…)): arithmetic, look inside
				out = append(out, substitutions(body, limit-len(out))...)
			} else {
				out = append(out, body)
			}
			i = j
		}
	}
	return out
}

// recordWrites remembers what echo, printf or a bare cat of a literal
// here-document write to the files they are redirected to.
func recordWrites(c *Command, written map[string]string) {
	if !c.Redirected.Has(Writes) || len(c.Writes) == 0 || c.Unknown || c.DynamicArgs || c.GlobArgs {
		return
	}
	var text string
	switch {
	case len(c.Args) == 1 && c.Name == "cat" && c.stdin.kind == stdinLiteral:
		text = c.stdin.text
	case len(c.Args) > 1:
		t, ok := echoText(c.Args)
		if !ok {
			return
		}
		text = t
	default:
		return
	}
	for _, p := range c.Writes {
		if p != "" {
			written[path.Clean(p)] += text
		}
	}
}

// writtenScripts returns, for a shell or source running a file the line
// wrote, that file's text: "printf 'rm -rf /' > x.sh; sh x.sh". The file
// may hold more than the line wrote, so the code stays hidden too.
func writtenScripts(c *Command, written map[string]string) []inner {
	if len(written) == 0 || !c.Effects.Has(HiddenCode) {
		return nil
	}
	var out []inner
	for _, arg := range c.Args[1:] {
		if text, ok := written[path.Clean(arg)]; ok {
			out = append(out, inner{script: text, isScript: true, via: ViaRuns})
		}
	}
	return out
}
