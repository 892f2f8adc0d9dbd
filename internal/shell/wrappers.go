package shell

import "strings"

// wrapper describes a program that runs a command given as its arguments.
type wrapper struct {
	opts OptSpec
	// skip is how many operands come before the command (timeout's
	// duration, chroot's directory, flock's lock file).
	skip int
	// script names the option whose value is a shell script (env -S,
	// su -c, flock -c).
	script string
	// joined: the remaining words form one shell script (watch, ssh).
	joined bool
	// maybe: the command runs elsewhere (ssh), so it only matters to deny
	// rules.
	maybe bool
	// loose: the options are not modelled; every plausible start of the
	// command is tried (setpriv, perf record, pkexec).
	loose bool
}

var posix = func(flags, values string, longs ...string) OptSpec {
	return OptSpec{Flags: flags, Values: values, Long: LongOpts(longs...), Posix: true}
}

// wrappers lists the programs that run another command.
var wrappers = map[string]wrapper{
	"command": {opts: posix("p", "")},
	"builtin": {opts: posix("", "")},
	"exec":    {opts: posix("cl", "a")},
	"nohup":   {opts: posix("", "")},
	"setsid":  {opts: posix("cfw", "", "ctty", "fork", "wait")},
	"nice":    {opts: posix("0123456789", "n", "adjustment=")},
	"env":     {opts: posix("0iv", "uCS", "ignore-environment", "null", "unset=", "chdir=", "split-string=", "debug", "default-signal", "ignore-signal", "block-signal", "list-signal-handling"), script: "S"},
	"timeout": {opts: posix("v", "sk", "signal=", "kill-after=", "foreground", "preserve-status", "verbose"), skip: 1},
	"stdbuf":  {opts: posix("", "ioe", "input=", "output=", "error=")},
	"ionice":  {opts: posix("t", "cnp", "class=", "classdata=", "pid=", "ignore")},
	"chrt":    {opts: posix("abdefimoprRv", "DPT", "all-tasks", "batch", "deadline", "fifo", "idle", "max", "other", "pid", "rr", "reset-on-fork", "verbose", "sched-runtime=", "sched-period=", "sched-deadline="), skip: 1},
	"taskset": {opts: posix("acp", "", "all-tasks", "cpu-list", "pid"), skip: 1},
	"flock":   {opts: posix("sexunoFv", "wEc", "shared", "exclusive", "unlock", "nonblock", "close", "no-fork", "verbose", "timeout=", "conflict-exit-code=", "command="), skip: 1, script: "c"},
	"chroot":  {opts: posix("", "", "userspec=", "groups=", "skip-chdir"), skip: 1},
	"sudo":    {opts: posix("AbEeHiKklnPSsVv", "ugCDhprtTU", "user=", "group=", "close-from=", "chdir=", "host=", "prompt=", "role=", "type=", "command-timeout=", "other-user=", "preserve-env", "login", "shell", "non-interactive", "stdin", "background", "askpass", "edit", "set-home", "list", "validate", "reset-timestamp", "remove-timestamp", "preserve-groups", "version", "help")},
	"doas":    {opts: posix("ns", "uC")},
	"runuser": {opts: posix("lmpfP", "ugcsw", "login", "preserve-environment", "pty", "user=", "group=", "command=", "shell=", "whitelist-environment=", "session-command="), script: "c"},
	// su permutes: "su root -c CMD" takes -c after the user.
	"su":               {opts: OptSpec{Flags: "lmpfP", Values: "gGcsw", Long: LongOpts("login", "preserve-environment", "pty", "group=", "supp-group=", "command=", "shell=", "whitelist-environment=", "session-command=")}, script: "c", skip: 1},
	"sg":               {opts: OptSpec{Values: "c"}, script: "c", skip: 1, joined: true},
	"setpriv":          {loose: true},
	"pkexec":           {loose: true},
	"perf":             {loose: true},
	"dbus-run-session": {loose: true},
	"dbus-launch":      {loose: true},
	"capsh":            {loose: true},
	"prlimit":          {loose: true},
	"numactl":          {loose: true},
	"cgexec":           {loose: true},
	"firejail":         {loose: true},
	"bwrap":            {loose: true},
	"systemd-inhibit":  {loose: true},
	"torsocks":         {opts: posix("", "")},
	"proxychains":      {loose: true},
	"xargs":            {opts: posix("0oprtx", "adEIiLlnPs", "null", "open-tty", "interactive", "no-run-if-empty", "verbose", "exit", "arg-file=", "delimiter=", "eof=", "replace=", "max-lines=", "max-args=", "max-procs=", "max-chars=", "process-slot-var=", "show-limits")},
	"time":             {opts: posix("apqv", "fo", "append", "portability", "quiet", "verbose", "format=", "output=")},
	"strace":           {opts: posix("cCdDfFhiqrtTvVwxyYzZk", "abeEIoOpPsSuUX")},
	"ltrace":           {opts: posix("bcCdfhiLrStTV", "aADeFlnoOpsSuwx")},
	"watch":            {opts: posix("bcdeghtx", "nq", "interval=", "differences", "chgexit", "errexit", "beep", "color", "no-title", "exec", "precise", "equexit="), joined: true},
	"caffeinate":       {opts: posix("dimsu", "tw")},
	"unbuffer":         {opts: posix("p", "")},
	"busybox":          {opts: posix("", "")},
	"script":           {opts: posix("aefqT", "cEIOBt", "append", "command=", "echo=", "log-in=", "log-out=", "log-io=", "log-timing=", "flush", "force", "quiet", "return", "timing="), script: "c", skip: 1},
	"ssh":              {opts: posix("46AaCfGgKkMNnqsTtVvXxYy", "BbcDEeFIiJLlmOoPpQRSWw"), skip: 1, joined: true, maybe: true},
	"parallel":         {opts: posix("", "")},
	"unshare":          {opts: posix("mUinpuUCTfrc", "", "mount", "uts", "ipc", "net", "pid", "user", "cgroup", "time", "fork", "map-root-user", "map-current-user", "kill-child", "propagation=", "setgroups=", "root=", "wd=")},
	"nsenter":          {opts: posix("aFmuinpUCTrw", "tSG", "target=", "all", "mount", "uts", "ipc", "net", "pid", "user", "cgroup", "time", "setuid=", "setgid=", "preserve-credentials", "root", "wd", "no-fork")},
	"catchsegv":        {opts: posix("", "")},
	"valgrind":         {opts: posix("qv", "")},
	"fakeroot":         {opts: posix("", "isl")},
	"proot":            {opts: posix("", "")},
	"systemd-run": {opts: posix("dGqrStP", "Mpu", "unit=", "property=", "description=", "slice=", "uid=", "gid=",
		"working-directory=", "setenv=", "user", "system", "scope", "wait", "pipe", "pty", "quiet", "same-dir",
		"collect", "no-block", "remain-after-exit", "service-type=", "nice=", "timer-property=", "on-calendar=")},
}

// unwrap returns what w runs, given c's words after the name: the
// command it was given, or its script. When the options do not parse, every
// word that does not look like an option is tried as the start of the
// command, so deny rules see it whatever the wrapper's syntax.
func (w wrapper) unwrap(c *Command) []inner {
	args, kinds := c.Args[1:], c.kinds[1:]
	via := ViaRuns
	if w.maybe {
		via = ViaMaybe
	}
	opts, operands, rest, ok := w.opts.Parse(args)
	if w.loose {
		ok = false
	}
	if ok && !w.opts.Posix && len(operands) > 0 {
		// A permuting program (su, sg) takes options among its operands;
		// the command is what follows the skipped operands.
		rest = operandIndex(args, operands, 0)
	}
	var out []inner
	if ok {
		for _, o := range opts {
			if w.script != "" && o.Name == w.script || o.Long && (o.Name == "split-string" || o.Name == "command") {
				out = append(out, inner{script: o.Value, isScript: true, via: via})
			}
		}
		start := rest + w.skip
		for start < len(args) && isAssignment(args[start]) && kinds[start] == literalWord {
			// env and sudo take VAR=value before the command; one that
			// names code (BASH_ENV, GIT_PAGER) runs what it names.
			if name, _, _ := strings.Cut(args[start], "="); commandVars[name] || strings.HasPrefix(name, "GIT_CONFIG") {
				c.Effects |= Executes | UnknownCode
			}
			start++
		}
		if start < len(args) {
			if w.joined || len(out) > 0 && w.script == "S" {
				out = append(out, scriptOf(args[start:], kinds[start:], via))
			} else {
				out = append(out, inner{args: args[start:], kinds: kinds[start:], via: via})
			}
		}
	}
	if ok {
		return out
	}
	// Options this table does not know: every plausible start of the
	// command, so that deny rules see the real one among them.
	for i := 0; i < len(args) && len(out) < maxInner; i++ {
		if strings.HasPrefix(args[i], "-") || isAssignment(args[i]) || kinds[i] != literalWord {
			continue
		}
		out = append(out, inner{args: args[i:], kinds: kinds[i:], via: ViaMaybe})
	}
	return out
}

// maxInner bounds the readings one wrapper yields.
const maxInner = 16

// scriptOf joins words into one script, as watch and ssh do; a word that
// is not literal makes the script's text unknown.
func scriptOf(args []string, kinds []wordKind, via Via) inner {
	for _, k := range kinds {
		if k == dynamicWord {
			return inner{unknown: true, via: via, script: strings.Join(args, " "), isScript: true}
		}
	}
	return inner{script: strings.Join(args, " "), isScript: true, via: via}
}

// isAssignment reports whether a looks like NAME=value.
func isAssignment(a string) bool {
	name, _, ok := strings.Cut(a, "=")
	if !ok || name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '_' && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// operandIndex returns the index in args of operands[n], found by walking
// args in order; len(args) when there is none.
func operandIndex(args, operands []string, n int) int {
	k := 0
	for i, a := range args {
		if k < len(operands) && a == operands[k] {
			if k == n {
				return i
			}
			k++
		}
	}
	return len(args)
}
