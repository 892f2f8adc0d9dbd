package permission

import (
	"strings"

	"github.com/qdev/qdev/internal/shell"
)

// Read-only commands, auto-allowed by execute_bash's autoAllowReadonly.
//
// The original's list is ls, cat, echo, pwd, which, head, tail, find, grep,
// dir and type. qdev adds commands that cannot write or run anything with
// any argument (wc, cut, tr, stat, du, df, cd, basename, dirname, realpath,
// readlink, true, false) and a few that can, whose options are parsed by
// the program's own rules (a value is not an option, "--" only ends the
// options where it is not a value, short options combine): sort, uniq,
// file. An option the table does not know makes the command ask. git is
// not read-only in any form: a repository's own configuration and
// attributes (filter drivers, signature programs, a bare repository
// committed inside the workspace) can make any verb run a program, and no
// command-line option turns all of them off. A command with any effect the shell analysis sees
// (a write, a run, the network, an assignment) is never read-only.

// anyArgs lists commands that neither write files nor run programs whatever
// their arguments, so expansions, globs and options in them are harmless.
var anyArgs = map[string]bool{
	"ls": true, "cat": true, "echo": true, "pwd": true, "which": true, "head": true,
	"dir": true, "type": true, "wc": true, "cut": true, "tr": true, "stat": true,
	"du": true, "df": true, "cd": true, "basename": true, "dirname": true,
	"realpath": true, "readlink": true, "true": true, "false": true,
}

// checked lists commands with dangerous options. Their arguments must be
// literals, so that a variable or a file named "-delete" cannot smuggle an
// option in ("wildcard injection"); grep alone accepts globs, as
// "grep x *.go" is common and grep has no option that writes or runs.
var checked = map[string]func(args []string) bool{
	"find": func(a []string) bool { return shell.FindExpression(a, func(string, int, int) {}) },
	"grep": optionsReadOnly(grepOpts, "P", "perl-regexp"),
	"tail": optionsReadOnly(tailOpts, "f", "F", "follow", "pid", "retry"),
	"sort": optionsReadOnly(sortOpts, "o", "output", "compress-program"),
	"uniq": uniqReadOnly,
	"file": optionsReadOnly(fileOpts, "C", "compile"),
}

// IsReadOnly reports whether c only reads, by the rules above. Commands
// with an effect, with assignments, with a computed name, under
// time/coproc, or named by a path ("/bin/ls") are never read-only.
func IsReadOnly(c *shell.Command) bool {
	if c.Unknown || c.Name == "" || len(c.Assigns) > 0 || c.Keyword != "" || strings.Contains(c.Name, "/") {
		return false
	}
	if c.Effects != 0 {
		return false
	}
	if anyArgs[c.Name] {
		return true
	}
	check := checked[c.Name]
	if check == nil || c.DynamicArgs || (c.GlobArgs && c.Name != "grep") {
		return false
	}
	return check(c.Args[1:])
}

var (
	grepOpts = shell.OptSpec{Flags: "EFGHILTUVZabchilnoqrsuvwxyzRP", Values: "ABCDdefm", Long: shell.LongOpts(
		"extended-regexp", "fixed-strings", "basic-regexp", "perl-regexp", "ignore-case", "no-ignore-case",
		"invert-match", "word-regexp", "line-regexp", "count", "files-with-matches",
		"files-without-match", "only-matching", "quiet", "silent", "no-messages", "byte-offset",
		"with-filename", "no-filename", "line-number", "no-line-number", "line-buffered", "null-data", "null", "text",
		"recursive", "dereference-recursive", "initial-tab", "version", "help", "label=", "include=",
		"exclude=", "exclude-dir=", "exclude-from=", "max-count=", "after-context=", "before-context=",
		"context=", "regexp=", "file=", "binary-files=", "devices=", "directories="),
		Optional: map[string]bool{"color": true, "colour": true}}
	tailOpts = shell.OptSpec{Flags: "fFqvz", Values: "cns", Long: shell.LongOpts("bytes=", "lines=", "follow",
		"quiet", "silent", "verbose", "zero-terminated", "retry", "pid=", "sleep-interval=",
		"max-unchanged-stats=", "help", "version")}
	sortOpts = shell.OptSpec{Flags: "bcCdfgiMhmnRrsuVz", Values: "koStT", Long: shell.LongOpts("ignore-leading-blanks",
		"dictionary-order", "ignore-case", "general-numeric-sort", "ignore-nonprinting", "month-sort",
		"human-numeric-sort", "numeric-sort", "random-sort", "reverse", "version-sort", "check", "merge",
		"stable", "unique", "zero-terminated", "debug", "help", "version", "key=", "output=",
		"field-separator=", "buffer-size=", "temporary-directory=", "parallel=", "sort=",
		"random-source=", "batch-size=", "files0-from=", "compress-program=")}
	uniqOpts = shell.OptSpec{Flags: "cdDiuz", Values: "fsw", Long: shell.LongOpts("count", "repeated",
		"all-repeated", "ignore-case", "unique", "zero-terminated", "group", "skip-fields=",
		"skip-chars=", "check-chars=", "help", "version")}
	fileOpts = shell.OptSpec{Flags: "bcCdEhiIkLlNnprsSvz0", Values: "efFmP", Long: shell.LongOpts("brief", "checking-printout",
		"compile", "debug", "dereference", "no-dereference", "mime", "mime-type", "mime-encoding",
		"keep-going", "list", "no-buffer", "no-pad", "preserve-date", "raw", "special-files", "no-sandbox",
		"uncompress", "uncompress-noreport", "print0", "extension", "apple", "help", "version",
		"exclude=", "exclude-quiet=", "files-from=", "separator=", "magic-file=", "parameter=")}
)

// optionsReadOnly is a check that parses the arguments with spec and
// refuses the options named in bad.
func optionsReadOnly(spec shell.OptSpec, bad ...string) func([]string) bool {
	return func(args []string) bool {
		opts, _, _, ok := spec.Parse(args)
		return ok && !shell.HasOpt(opts, bad...)
	}
}

// uniqReadOnly refuses a second operand, which uniq opens as its output.
func uniqReadOnly(args []string) bool {
	_, operands, _, ok := uniqOpts.Parse(args)
	return ok && len(operands) <= 1
}
