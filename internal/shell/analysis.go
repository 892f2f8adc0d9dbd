// Package shell analyses a bash command line into the simple commands it
// runs and the effects each can have, so every permission layer judges the
// same canonical form.
package shell

import (
	"errors"
	"path"
	"strings"
	"sync"
	"time"
)

// Effects is a set of things a command may do besides reading.
type Effects uint16

const (
	// Writes: creates, truncates, changes or deletes files.
	Writes Effects = 1 << iota
	// Executes: runs another program or code (a wrapper, an interpreter,
	// eval, source, find -exec, xargs, or configuration the agent can write,
	// such as git's or make's).
	Executes
	// FeedsInterpreter: code reaches an interpreter on stdin or inline
	// (| bash, <<<, here-documents, -c, -e).
	FeedsInterpreter
	// EnablesAliases: defines an alias or turns on expand_aliases, after
	// which a command name may mean another command.
	EnablesAliases
	// DefinesFunction: defines a shell function, which may shadow a program.
	DefinesFunction
	// Network: reaches the network (curl, ssh, /dev/tcp, …).
	Network
	// SetsVariables: assigns shell variables (declare, read, printf -v…),
	// which bash may evaluate as arithmetic, subscripts included.
	SetsVariables
	// UnknownCode: runs code whose text is computed at run time (eval "$x",
	// bash -c "$x", $(…) | sh), so it may run any program.
	UnknownCode
	// HiddenCode: runs code the analysis does not read: a script file
	// (bash x.sh, source x), or a program in another language (python -c).
	HiddenCode
)

// Has reports whether e holds any of the effects in o.
func (e Effects) Has(o Effects) bool { return e&o != 0 }

var effectNames = []string{"writes", "executes", "feeds-interpreter", "enables-aliases",
	"defines-function", "network", "sets-variables", "unknown-code", "hidden-code"}

// String names the effects, "writes|network"; "none" for no effect.
func (e Effects) String() string {
	var names []string
	for i, n := range effectNames {
		if e&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// Via says how a command was found.
type Via uint8

const (
	// ViaLine: a simple command of the line itself, including those inside
	// $(…), <(…), subshells, groups, functions and here-documents.
	ViaLine Via = iota
	// ViaRuns: run by its parent command (a wrapper such as sudo or env,
	// bash -c, eval, source of a literal, an interpreter's stdin, find
	// -exec, xargs, an alias definition, trap).
	ViaRuns
	// ViaMaybe: text that bash or an interpreter may evaluate as code but
	// need not (a literal holding $(…), a string in inline Python). Deny
	// rules judge it; it never needs to be allowed.
	ViaMaybe
)

// Command is one simple command and what it can do.
type Command struct {
	// Name is the program name with quotes, escapes and brace expansion
	// resolved ("\rm", 'r''m', $'\x72m' give "rm"; "/usr/bin/rm" stays).
	// It is "" for a bare assignment or redirection, and when Unknown.
	Name string
	// Unknown is set when the name is computed at run time: variables,
	// substitutions, globs ("$X", "/bin/r?", "rm$IFS-rf").
	Unknown bool
	// Args are the words as the program sees them, Args[0] being the name.
	// Words that are not literal hold their source text ("$HOME").
	Args []string
	// DynamicArgs is set when an argument depends on variables or other
	// commands; GlobArgs when one holds an unquoted glob.
	DynamicArgs, GlobArgs bool
	// Assigns are the "VAR=value" prefixes, the value resolved when it is
	// a literal ("A='x y'" gives "A=x y"), else as source text.
	Assigns []string
	// Text is the command's source: assignments and words separated by
	// single spaces, without redirections.
	Text string
	// Redirects are the source texts of the command's own redirections.
	Redirects []string
	// Keyword is "time" or "coproc" when the command runs under one.
	Keyword string
	// Effects are all effects of the command, Redirected those caused by
	// redirections (its own or of a compound command around it).
	Effects, Redirected Effects
	// Writes are the files the command writes, "" standing for a target
	// that is not literal. Reads are files named by input redirections.
	Writes, Reads []string
	// Via says how the command was found, Parent the index in
	// Analysis.Commands of the command that runs it (-1 for ViaLine).
	Via    Via
	Parent int
	// Code is the inline program given to an interpreter that is not a
	// shell (python -c, perl -e, awk, a here-document to node).
	Code string

	kinds []wordKind
	start uint     // source offset, for compound redirections
	depth int      // inner parse depth
	stdin stdinSrc // what an interpreter would read as code
	maybe []string // literal text bash may evaluate as code
	runs  []inner  // commands held by assignments (GIT_PAGER=…)
}

// Base is the name without its directory ("/usr/bin/rm" gives "rm").
func (c *Command) Base() string {
	if c.Name == "" {
		return ""
	}
	return path.Base(c.Name)
}

// Canonical is the command as it will run: its words joined by single
// spaces, name included as written ("/usr/bin/rm -rf /").
func (c *Command) Canonical() string { return strings.Join(c.Args, " ") }

// Forms are the spellings deny rules are matched against: the canonical
// form, the canonical form with the name stripped of its directory, and
// the source text, without duplicates.
//
// It also lists the base form with leading options removed, each taken
// alone and with the word after it as its value, so a rule written for
// "aws iam *" or "terraform apply*" also meets "aws --profile p iam …" and
// "terraform -chdir=infra apply": which options take values is the
// program's own business, so both readings are tried.
func (c *Command) Forms() []string {
	forms := []string{c.Canonical()}
	base := c.Base()
	if base != c.Name && len(c.Args) > 0 {
		forms = append(forms, strings.Join(append([]string{base}, c.Args[1:]...), " "))
	}
	if c.Text != forms[0] && c.Text != "" {
		forms = append(forms, c.Text)
	}
	if base != "" && len(c.Args) > 1 && strings.HasPrefix(c.Args[1], "-") {
		for _, rest := range withoutLeadingOptions(c.Args[1:], maxLeadingOptions) {
			forms = append(forms, strings.Join(append([]string{base}, rest...), " "))
		}
	}
	return forms
}

// maxLeadingOptions bounds the options withoutLeadingOptions removes, and
// so its 2^n readings.
const maxLeadingOptions = 4

// withoutLeadingOptions returns args with their leading options removed,
// in every reading of which options take the next word as a value.
func withoutLeadingOptions(args []string, n int) [][]string {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") || args[0] == "--" || n == 0 {
		if len(args) > 0 && args[0] == "--" {
			return [][]string{args[1:]}
		}
		return [][]string{args}
	}
	out := withoutLeadingOptions(args[1:], n-1)
	if len(args) > 1 && !strings.Contains(args[0], "=") {
		out = append(out, withoutLeadingOptions(args[2:], n-1)...)
	}
	return out
}

// Analysis is the judgement-ready model of one command line. It must not
// be modified: Cached hands the same value to every layer.
type Analysis struct {
	// Line is the analysed text.
	Line string
	// Commands are the simple commands of the line in source order,
	// followed by those they run (Via, Parent).
	Commands []Command
	// Err is set when the line does not parse or exceeds the analysis
	// budget: then nothing about it is known.
	Err error
	// ControlChars is set when the line holds C0 control characters other
	// than tab and newline, or DEL, on which bash and the parser may
	// disagree ("\r").
	ControlChars bool
}

// Unknown reports whether some command may run a program the analysis
// cannot name: a computed name or code computed at run time.
func (a *Analysis) Unknown() bool {
	for i := range a.Commands {
		if a.Commands[i].Unknown || a.Commands[i].Effects.Has(UnknownCode) {
			return true
		}
	}
	return false
}

// Budget limits. A line over MaxBytes, or whose analysis would exceed the
// others, is refused with ErrBudget.
const (
	MaxBytes    = 256 << 10
	maxNesting  = 100   // brackets and quotes open at once, estimated
	maxNodes    = 50000 // syntax nodes over all parses
	maxParses   = 64    // inner scripts parsed (bash -c, eval, …)
	maxDepth    = 8     // scripts and wrappers inside each other
	maxCommands = 4096
)

// ErrBudget is the error of a line too large or too nested to analyse.
var ErrBudget = errors.New("shell: command too large or too deeply nested to analyse")

// Analyze analyses line. It never fails: problems are in Analysis.Err.
func Analyze(line string) *Analysis {
	a := &Analysis{Line: line, ControlChars: hasControlChars(line)}
	b := &budget{nodes: maxNodes, parses: maxParses, end: time.Now().Add(maxParseTime)}
	cmds, err := b.parse(line, 0)
	if err != nil {
		a.Err = err
		return a
	}
	for i := range cmds {
		cmds[i].Parent = -1
	}
	a.Commands = cmds
	if err := expandInner(a, b); err != nil {
		a.Err, a.Commands = err, nil
	}
	markMadeHere(a.Commands)
	return a
}

// markMadeHere makes unknown every program named by a path after a command
// of the same line that writes or runs something: that command may have
// put any program there ("cp /bin/rm ./x; ./x -rf /"), so the name says
// nothing about what runs. A program already in place when the line starts
// ("./gradlew build") keeps its name.
func markMadeHere(cmds []Command) {
	made := false
	for i := range cmds {
		c := &cmds[i]
		if made && strings.Contains(c.Name, "/") {
			c.Unknown, c.Name = true, ""
		}
		if c.Effects.Has(Writes) || c.Effects.Has(Executes) {
			made = true
		}
	}
}

// cache keeps the latest analyses, so the layers judging one tool call
// (managed rules, the AWS guard, the agent's rules) share one value.
var cache struct {
	sync.Mutex
	m map[string]*Analysis
}

const cacheSize = 32

// Cached returns Analyze(line), reusing a recent result for the same line.
func Cached(line string) *Analysis {
	cache.Lock()
	a := cache.m[line]
	cache.Unlock()
	if a != nil {
		return a
	}
	a = Analyze(line)
	cache.Lock()
	if len(cache.m) >= cacheSize {
		clear(cache.m)
	}
	if cache.m == nil {
		cache.m = map[string]*Analysis{}
	}
	cache.m[line] = a
	cache.Unlock()
	return a
}

// hasControlChars reports C0 control characters other than tab and
// newline, and DEL.
func hasControlChars(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f
	}) >= 0
}
