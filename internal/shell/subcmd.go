package shell

// runVerbs are subcommands after which a program runs the command that
// follows: "npm exec -- rm", "poetry run rm", "bundle exec rm".
var runVerbs = map[string]map[string]bool{
	"npm": {"exec": true, "x": true}, "yarn": {"exec": true, "run": true}, "pnpm": {"exec": true, "dlx": true},
	"bundle": {"exec": true}, "poetry": {"run": true}, "uv": {"run": true}, "pipenv": {"run": true},
	"conda": {"run": true}, "direnv": {"exec": true}, "pdm": {"run": true}, "hatch": {"run": true},
	"rye": {"run": true}, "mise": {"exec": true, "x": true}, "asdf": {"exec": true}, "nix": {"shell": true, "develop": true},
}

// deferred programs take a script on stdin, or as their arguments, and
// run it later or elsewhere: at and batch, crontab, tmux and screen.
var deferred = map[string]bool{"at": true, "batch": true, "crontab": true, "tmux": true, "screen": true}

// subcommandRuns returns what c runs through a run verb: the words after
// the verb and its options, the first of them being the program; every
// later word is also tried, as the verbs' own options differ.
func subcommandRuns(c *Command, base string) []inner {
	verbs := runVerbs[base]
	for i := 1; i < len(c.Args); i++ {
		if !verbs[c.Args[i]] {
			continue
		}
		c.Effects |= Executes
		var out []inner
		for j := i + 1; j < len(c.Args) && len(out) < maxInner; j++ {
			if c.Args[j] == "--" || c.Args[j][0] == '-' {
				continue
			}
			via := ViaMaybe
			if len(out) == 0 {
				via = ViaRuns
			}
			out = append(out, inner{args: c.Args[j:], kinds: c.kinds[j:], via: via})
		}
		return out
	}
	return nil
}

// deferredRuns returns the script a deferred program is given, and marks
// it as running code later.
func deferredRuns(c *Command, base string) []inner {
	c.Effects |= Executes | HiddenCode
	switch base {
	case "at", "batch":
		if c.stdin.kind == stdinLiteral {
			return []inner{{script: c.stdin.text, isScript: true, via: ViaRuns}}
		}
	case "crontab":
		c.Effects |= Writes
	default: // tmux, screen: commands among the arguments
		var out []inner
		for i := 1; i < len(c.Args) && len(out) < maxInner; i++ {
			if c.Args[i] != "" && c.Args[i][0] != '-' {
				out = append(out, inner{script: c.Args[i], isScript: true, via: ViaMaybe},
					inner{args: c.Args[i:], kinds: c.kinds[i:], via: ViaMaybe})
			}
		}
		return out
	}
	return nil
}
