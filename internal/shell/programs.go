package shell

import (
	"regexp"
	"slices"
	"strings"
)

// inner is something a command runs: an argument vector or a script.
type inner struct {
	args     []string
	kinds    []wordKind
	script   string
	isScript bool
	unknown  bool // the script's text is computed at run time
	via      Via
	// moreArgs: the program adds arguments only known when it runs
	// (xargs, parallel, find -exec's {}).
	moreArgs bool
}

// shells read a script from -c, a file operand, or stdin.
var shells = map[string]bool{
	"bash": true, "sh": true, "zsh": true, "dash": true, "ksh": true, "mksh": true, "ash": true,
	"fish": true, "csh": true, "tcsh": true, "yash": true, "posh": true, "rbash": true,
}

var shellOpts = OptSpec{Flags: "abcefhiklmnprstuvxBCEHPT", Values: "oO", Long: LongOpts("rcfile=", "init-file=",
	"norc", "noprofile", "login", "posix", "restricted", "verbose", "version", "help", "debugger",
	"dump-strings", "dump-po-strings", "noediting", "pretty-print"), Posix: true}

// network lists programs whose purpose is to reach other hosts.
var network = map[string]bool{
	"curl": true, "wget": true, "nc": true, "ncat": true, "netcat": true, "socat": true, "ssh": true,
	"scp": true, "sftp": true, "rsync": true, "telnet": true, "ftp": true, "aws": true, "gh": true,
	"http": true, "https": true, "xh": true, "ping": true, "dig": true, "nslookup": true, "host": true,
	"openssl": true, "lynx": true, "w3m": true, "aria2c": true, "axel": true, "tftp": true, "mosh": true,
}

// buildTools run code named in files the agent can write (Makefiles,
// package.json scripts, build scripts, test files).
var buildTools = map[string]bool{
	"make": true, "gmake": true, "npm": true, "npx": true, "yarn": true, "pnpm": true, "bun": true,
	"cargo": true, "go": true, "mvn": true, "gradle": true, "gradlew": true, "pytest": true, "tox": true,
	"rake": true, "bundle": true, "pip": true, "pip3": true, "poetry": true, "uv": true, "uvx": true,
	"just": true, "task": true, "cmake": true, "ninja": true, "bazel": true, "docker": true,
	"podman": true, "kubectl": true, "terraform": true, "ant": true, "sbt": true, "dotnet": true,
	"deno": true, "nox": true, "pre-commit": true, "meson": true, "scons": true, "gem": true,
}

// writers change files named by their operands.
var writers = map[string]bool{
	"cp": true, "mv": true, "install": true, "ln": true, "tee": true, "dd": true, "touch": true,
	"mkdir": true, "rm": true, "rmdir": true, "chmod": true, "chown": true, "chgrp": true,
	"truncate": true, "tar": true, "unzip": true, "zip": true, "gzip": true, "gunzip": true,
	"bzip2": true, "xz": true, "patch": true, "shred": true, "mkfifo": true, "mknod": true,
	"split": true, "csplit": true, "rsync": true, "scp": true, "wget": true, "sed": true,
	"unlink": true, "link": true, "cpio": true, "7z": true, "ed": true, "ex": true, "vi": true,
	"vim": true, "nano": true, "emacs": true, "setfacl": true, "chattr": true, "sponge": true,
}

// programEffects adds what c's program does to c.Effects and returns what
// it runs.
func programEffects(c *Command) []inner {
	if c.Unknown || c.Name == "" || len(c.kinds) != len(c.Args) {
		return nil
	}
	base := c.Base()
	args := c.Args[1:]
	if network[base] {
		c.Effects |= Network
	}
	if writers[base] {
		c.Effects |= Writes
	}
	if buildTools[base] {
		c.Effects |= Executes
		if buildToolRunsLine(base, args) {
			c.Effects |= UnknownCode
		}
	}
	if base == "man" && slices.ContainsFunc(args, func(a string) bool {
		return strings.HasPrefix(a, "-P") || strings.HasPrefix(a, "--pager") || strings.HasPrefix(a, "--html")
	}) {
		c.Effects |= Executes | UnknownCode // the pager or browser is a command line
	}
	if strings.HasPrefix(c.Name, "/proc/") && strings.HasSuffix(c.Name, "/exe") {
		// Some process's own program, whatever it is (q's shell, bash).
		c.Unknown, c.Name = true, ""
		return nil
	}
	if w, ok := wrappers[base]; ok {
		if base == "command" && len(args) > 0 && (strings.HasPrefix(args[0], "-v") || strings.HasPrefix(args[0], "-V")) {
			return nil // a lookup, not a run
		}
		if len(args) > 0 {
			c.Effects |= Executes
		}
		ins := w.unwrap(c)
		if _, ok := commandOptions[base]; ok {
			ins = append(ins, optionCommands(c, base)...)
		}
		if base == "xargs" || base == "parallel" {
			for i := range ins {
				ins[i].moreArgs = true
			}
		}
		return ins
	}
	switch {
	case shells[base]:
		return shellScript(c)
	case base == "eval":
		c.Effects |= Executes | FeedsInterpreter
		in := scriptOf(args, c.kinds[1:], ViaRuns)
		if in.unknown {
			c.Effects |= UnknownCode
		}
		return []inner{in}
	case base == "source" || base == ".":
		c.Effects |= Executes
		if len(args) > 0 && isStdinPath(args[0]) {
			return stdinScript(c)
		}
		c.Effects |= HiddenCode
	case base == "trap":
		c.Effects |= Executes
		if len(args) > 1 && !strings.HasPrefix(args[0], "-") {
			return []inner{scriptArg(c, 1)}
		}
	case base == "alias":
		c.Effects |= EnablesAliases
		var out []inner
		for i, a := range args {
			if _, body, ok := strings.Cut(a, "="); ok {
				in := scriptArg(c, i+1)
				in.script = body
				out = append(out, in)
			}
		}
		return out
	case base == "enable" && slices.Contains(args, "-f"):
		c.Effects |= Executes | HiddenCode // loads a builtin from a file
	case base == "fc":
		c.Effects |= Executes | UnknownCode // runs commands from history
	case base == "shopt" && strings.Contains(c.Canonical(), "expand_aliases"):
		c.Effects |= EnablesAliases
	case base == "read" || base == "printf" && slices.Contains(args, "-v") || base == "mapfile" || base == "readarray":
		c.Effects |= SetsVariables
	case base == "find":
		return findActions(c)
	case base == "git":
		return gitEffects(c)
	case base == "curl":
		if hasPrefixWord(args, "-o", "-O", "--output", "--remote-name", "-D", "--dump-header", "-c", "--cookie-jar", "--trace") {
			c.Effects |= Writes
		}
	}
	if lang := interpreterOf(base); lang != "" {
		return interpreted(c, lang)
	}
	if _, ok := commandOptions[base]; ok || editors[base] {
		return optionCommands(c, base)
	}
	if runVerbs[base] != nil {
		return subcommandRuns(c, base)
	}
	if deferred[base] {
		return deferredRuns(c, base)
	}
	return nil
}

// scriptArg is the script in c.Args[i]; unknown unless literal.
func scriptArg(c *Command, i int) inner {
	return inner{script: c.Args[i], isScript: true, unknown: c.kinds[i] == dynamicWord, via: ViaRuns}
}

// shellScript finds what a shell runs: its -c script, a script file, or
// stdin.
func shellScript(c *Command) []inner {
	c.Effects |= Executes
	args := c.Args[1:]
	if len(args) > 0 && strings.HasPrefix(args[0], "+") {
		// "+o name" and "+O name" turn options off; they parse alike.
		args = append([]string(nil), args...)
		for i := 0; i < len(args) && strings.HasPrefix(args[i], "+"); i++ {
			args[i] = "-" + args[i][1:]
			if args[i] == "-o" || args[i] == "-O" {
				i++
			}
		}
	}
	opts, operands, rest, ok := shellOpts.Parse(args)
	if !ok {
		c.Effects |= UnknownCode
		return nil
	}
	if HasOpt(opts, "rcfile") || HasOpt(opts, "init-file") {
		c.Effects |= HiddenCode // a startup file: bash --rcfile <(…) -i
	}
	if HasOpt(opts, "c") {
		c.Effects |= FeedsInterpreter
		if len(operands) == 0 {
			return nil
		}
		return []inner{scriptArg(c, 1+rest)}
	}
	if len(operands) > 0 && operands[0] == "-" {
		operands = operands[1:] // "sh -": options end, the script is stdin
	}
	if len(operands) > 0 && isStdinPath(operands[0]) {
		return stdinScript(c)
	}
	if len(operands) > 0 && !HasOpt(opts, "s") {
		c.Effects |= HiddenCode // bash x.sh
		return nil
	}
	return stdinScript(c)
}

// stdinScript is the code an interpreter reads from stdin.
func stdinScript(c *Command) []inner {
	c.Effects |= FeedsInterpreter
	switch c.stdin.kind {
	case stdinLiteral:
		return []inner{{script: c.stdin.text, isScript: true, via: ViaRuns}}
	case stdinFile:
		c.Effects |= HiddenCode
	case stdinDynamic: // a pipe from a program, an expanded here-document
		c.Effects |= UnknownCode
	}
	return nil
}

// findActions returns the commands of find's -exec, -execdir, -ok and
// -okdir actions and marks what deletes or writes. A primary this
// analysis does not know may be any of them.
func findActions(c *Command) []inner {
	var out []inner
	args, kinds := c.Args[1:], c.kinds[1:]
	known := FindExpression(args, func(p string, from, to int) {
		switch p {
		case "-exec", "-execdir", "-ok", "-okdir":
			c.Effects |= Executes
			if to > from {
				out = append(out, inner{args: args[from:to], kinds: kinds[from:to], via: ViaRuns, moreArgs: true})
			}
		case "-delete":
			c.Effects |= Writes
		default:
			c.Effects |= Writes
			if to > from {
				c.Writes = append(c.Writes, args[from])
			}
		}
	})
	if !known {
		c.Effects |= Executes | Writes
	}
	return out
}

func hasPrefixWord(args []string, prefixes ...string) bool {
	for _, a := range args {
		for _, p := range prefixes {
			if strings.HasPrefix(a, p) {
				return true
			}
		}
	}
	return false
}

// stringLit finds quoted strings in program text, and runs of them
// separated by commas (["rm", "-rf", "/"]).
var (
	stringLit  = regexp.MustCompile(`"([^"\\]|\\.)*"|'([^'\\]|\\.)*'|` + "`[^`]*`")
	stringList = regexp.MustCompile(`(?:(?:"[^"]*"|'[^']*')\s*,\s*)+(?:"[^"]*"|'[^']*')`)
)

// codeStrings returns the strings of a program in another language that
// may be shell commands: each string literal, and each list of them as one
// command line. They are only judged by deny rules (ViaMaybe).
func codeStrings(code string) []inner {
	var out []inner
	add := func(s string) {
		if len(out) < maxInner && strings.TrimSpace(s) != "" {
			out = append(out, inner{script: s, isScript: true, via: ViaMaybe})
		}
	}
	for _, m := range stringList.FindAllString(code, maxInner) {
		var parts []string
		for _, s := range stringLit.FindAllString(m, -1) {
			parts = append(parts, s[1:len(s)-1])
		}
		add(strings.Join(parts, " "))
	}
	for _, s := range stringLit.FindAllString(code, maxInner) {
		add(s[1 : len(s)-1])
	}
	return out
}

// isStdinPath reports the names of standard input as a file.
func isStdinPath(p string) bool {
	return p == "/dev/stdin" || p == "/proc/self/fd/0" || p == "/dev/fd/0"
}

// buildToolRunsLine reports whether a build tool is given code on its
// command line or stdin rather than in its files: make --eval or -f -,
// npx -c, man's pager (-P), which this analysis does not read.
func buildToolRunsLine(base string, args []string) bool {
	for i, a := range args {
		switch base {
		case "make", "gmake":
			if strings.HasPrefix(a, "--eval") || strings.HasPrefix(a, "-E") ||
				(a == "-f" || a == "--file" || a == "--makefile") && i+1 < len(args) && args[i+1] == "-" ||
				a == "-f-" || a == "--file=-" || a == "--makefile=-" {
				return true
			}
		case "npx", "npm":
			if a == "-c" || strings.HasPrefix(a, "--call") {
				return true
			}
		}
	}
	return false
}
