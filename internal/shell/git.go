package shell

import (
	"regexp"
	"strings"
)

// gitGlobals are git's options before the verb.
var gitGlobals = OptSpec{Flags: "pPhv", Values: "Cc", Long: LongOpts("no-pager", "paginate", "git-dir=",
	"work-tree=", "namespace=", "bare", "no-replace-objects", "literal-pathspecs", "glob-pathspecs",
	"noglob-pathspecs", "icase-pathspecs", "no-optional-locks", "config-env=", "exec-path", "html-path",
	"man-path", "info-path", "version", "help", "no-lazy-fetch", "no-advice", "super-prefix="), Posix: true}

// GitCommand splits a git command line (c.Args[1:]) into its global
// options, verb and the verb's arguments; ok is false when the global
// options do not parse.
func GitCommand(args []string) (globals []Opt, verb string, rest []string, ok bool) {
	globals, operands, _, ok := gitGlobals.Parse(args)
	if !ok || len(operands) == 0 {
		return globals, "", nil, ok
	}
	return globals, operands[0], operands[1:], true
}

// gitCommandKeys are configuration keys whose value git runs as a command.
var gitCommandKeys = regexp.MustCompile(`(?i)^(alias\.|.*(pager|editor|command|external|textconv|fsmonitor|program|helper|\.clean|\.smudge|\.process|hook|askpass|proxy))`)

// gitNetwork are the verbs that talk to remotes.
var gitNetwork = map[string]bool{"fetch": true, "pull": true, "push": true, "clone": true,
	"ls-remote": true, "remote": true, "submodule": true, "archive": true, "request-pull": true, "send-email": true}

// gitReads are the verbs that only read the repository, when run safely.
var gitReads = map[string]bool{"status": true, "diff": true, "log": true, "show": true, "branch": true,
	"rev-parse": true, "ls-files": true, "blame": true, "describe": true, "shortlog": true, "grep": true}

// gitEffects marks what a git command can do. Every git command reads the
// repository's configuration, which the agent can write (.git/config) and
// which names programs git runs (core.fsmonitor, core.pager, diff.external,
// textconv drivers, hooks); so git executes unless the command line itself
// turns those off (see GitSafe).
func gitEffects(c *Command) []inner {
	globals, verb, _, ok := GitCommand(c.Args[1:])
	var out []inner
	for _, o := range globals {
		if o.Name == "c" {
			key, val, _ := strings.Cut(o.Value, "=")
			if gitCommandKeys.MatchString(key) && val != "" && !isBoolish(val) && val != "/dev/null" {
				out = append(out, inner{script: strings.TrimPrefix(val, "!"), isScript: true, via: ViaRuns})
			}
		}
	}
	if gitNetwork[verb] {
		c.Effects |= Network
	}
	if !gitReads[verb] {
		c.Effects |= Writes
	}
	if !ok || !GitSafe(c.Args[1:]) {
		c.Effects |= Executes
	}
	return out
}

// GitSafe reports whether a git command line turns off the configuration
// that runs programs: it must set "-c core.fsmonitor=" (or false) and
// "-c core.hooksPath=/dev/null", set no other key,
// name no --exec-path or --config-env, and, for diff, log and show, pass
// --no-ext-diff and --no-textconv.
func GitSafe(args []string) bool {
	globals, verb, rest, ok := GitCommand(args)
	if !ok {
		return false
	}
	fsmonitor, hooks := false, false
	for _, o := range globals {
		switch o.Name {
		case "exec-path", "config-env", "git-dir", "work-tree":
			return false
		case "c":
			key, val, _ := strings.Cut(o.Value, "=")
			switch strings.ToLower(key) {
			case "core.fsmonitor":
				fsmonitor = val == "" || strings.EqualFold(val, "false")
			case "core.hookspath":
				hooks = val == "/dev/null"
			default:
				// Any other key might name a program, or include a file
				// (include.path) that sets one after the keys above.
				return false
			}
		}
	}
	if !fsmonitor || !hooks {
		return false
	}
	switch verb {
	case "diff", "log", "show":
		noExt, noConv := false, false
		for _, a := range rest {
			switch {
			case a == "--":
				return noExt && noConv
			case a == "--no-ext-diff":
				noExt = true
			case a == "--no-textconv":
				noConv = true
			case strings.HasPrefix(a, "--ext-diff"), strings.HasPrefix(a, "--textconv"):
				return false
			}
		}
		return noExt && noConv
	}
	return true
}

func isBoolish(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "0", "1":
		return true
	}
	return false
}
