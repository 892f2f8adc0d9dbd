package shell

import (
	"regexp"
	"slices"
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
	if ok && verb != "" && (!gitBuiltins[verb] || gitRunsCommand(verb, c.Args)) {
		// A verb git does not know is an alias, which may be "!cmd" from
		// a configuration the agent can write; and some verbs run a
		// command the line gives them (rebase --exec, bisect run,
		// --upload-pack). Neither is read here.
		c.Effects |= Executes | UnknownCode
	}
	for _, o := range globals {
		switch o.Name {
		case "C", "git-dir", "work-tree":
			// Another repository's configuration and attributes: one the
			// workspace ships can set filter drivers and programs that
			// no -c here turns off.
			c.Effects |= Executes | HiddenCode
		}
		if o.Name == "c" && gitProtocolAllow.MatchString(o.Value) {
			c.Effects |= Executes | UnknownCode // ext:: remotes run commands
		}
	}
	for _, as := range c.Assigns {
		if strings.HasPrefix(as, "GIT_DIR=") || strings.HasPrefix(as, "GIT_WORK_TREE=") {
			c.Effects |= Executes | HiddenCode
		}
		if strings.HasPrefix(as, "GIT_CONFIG_") {
			c.Effects |= Executes | UnknownCode // configuration given in the environment
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

// gitBuiltins are git's own verbs; git ignores an alias with one of these
// names, so only other verbs can be aliases.
var gitBuiltins = setOf("add am annotate apply archive bisect blame branch bundle cat-file check-attr check-ignore " +
	"check-mailmap check-ref-format checkout checkout-index cherry cherry-pick citool clean clone column commit " +
	"commit-graph commit-tree config count-objects describe diff diff-files diff-index diff-tree difftool " +
	"fast-export fast-import fetch fetch-pack filter-branch fmt-merge-msg for-each-ref for-each-repo format-patch " +
	"fsck gc get-tar-commit-id grep gui hash-object help init instaweb interpret-trailers log ls-files ls-remote " +
	"ls-tree mailinfo mailsplit maintenance merge merge-base merge-file merge-tree mergetool mktag mktree mv " +
	"name-rev notes pack-objects pack-refs prune pull push range-diff read-tree rebase reflog remote repack " +
	"replace request-pull rerere reset restore rev-list rev-parse revert rm send-email shortlog show show-branch " +
	"show-ref sparse-checkout stash status stripspace submodule switch symbolic-ref tag update-index update-ref " +
	"var verify-commit verify-pack verify-tag version whatchanged worktree write-tree")

// gitRunOptions are options, by verb, whose value or following words git
// runs as a command.
var gitRunOptions = map[string][]string{
	"rebase":     {"--exec", "-x"},
	"difftool":   {"--extcmd", "-x", "--tool", "-t"},
	"mergetool":  {"--tool", "-t"},
	"grep":       {"--open-files-in-pager", "-O"},
	"fetch":      {"--upload-pack"},
	"pull":       {"--upload-pack"},
	"ls-remote":  {"--upload-pack"},
	"clone":      {"--upload-pack", "-u", "--template"},
	"push":       {"--receive-pack", "--exec"},
	"archive":    {"--exec"},
	"send-email": {"--sendmail-cmd", "--smtp-server", "--to-cmd", "--cc-cmd", "--header-cmd"},
}

// gitRunsCommand reports whether git verb, with args, runs a command the
// line names: an option of gitRunOptions (also as --opt=value or -xVALUE),
// bisect run, submodule foreach, filter-branch.
func gitRunsCommand(verb string, args []string) bool {
	switch verb {
	case "filter-branch":
		return true
	case "bisect":
		return slices.Contains(args, "run")
	case "submodule":
		return slices.Contains(args, "foreach")
	}
	for _, a := range args {
		for _, o := range gitRunOptions[verb] {
			if a == o || strings.HasPrefix(a, o+"=") || len(o) == 2 && strings.HasPrefix(a, o) ||
				len(o) > 2 && len(a) > 4 && strings.HasPrefix(o, strings.SplitN(a, "=", 2)[0]) {
				return true
			}
		}
	}
	return false
}

// gitProtocolAllow matches -c values that enable remote helpers which run
// commands (ext::).
var gitProtocolAllow = regexp.MustCompile(`(?i)^protocol\.([^.=]*\.)?allow=`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
