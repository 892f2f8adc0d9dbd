package permission

import "strings"

// runsArgs lists programs that run a command given as their arguments.
var runsArgs = map[string]bool{
	"sudo": true, "doas": true, "env": true, "nohup": true, "nice": true, "time": true,
	"timeout": true, "stdbuf": true, "ionice": true, "setsid": true, "command": true,
	"builtin": true, "exec": true, "xargs": true, "chroot": true, "unshare": true,
	"nsenter": true, "chrt": true, "taskset": true, "flock": true, "caffeinate": true,
	"unbuffer": true, "strace": true, "ltrace": true, "runuser": true, "busybox": true,
	"parallel": true, "watch": true,
}

// runsScript lists programs that run a script given with -c.
var runsScript = map[string]bool{
	"bash": true, "sh": true, "zsh": true, "dash": true, "ksh": true, "mksh": true,
	"fish": true, "su": true, "runuser": true,
}

// maxInner bounds how many inner commands one command yields.
const maxInner = 16

// Inner returns the commands c runs on behalf of its arguments, as far as the
// text shows them: the command after a wrapper such as sudo, env, nohup,
// timeout, xargs or exec; the script of "bash -c", "sh -c" or eval; the
// commands of find -exec, -execdir, -ok and -okdir. It over-approximates:
// after a wrapper every word not looking like an option or an assignment is
// tried as the start of the inner command ("sudo -u bob rm x" yields
// "bob rm x" and "rm x"). The results have their own Inner commands.
func (c Cmd) Inner() []Cmd {
	if c.Dynamic || len(c.Args) < 2 {
		return nil
	}
	name := c.Name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var out []Cmd
	if runsScript[name] {
		out = append(out, scriptAfterC(c.Args[1:])...)
	}
	switch {
	case name == "eval":
		out = append(out, script(strings.Join(c.Args[1:], " "))...)
	case name == "watch":
		out = append(out, script(strings.Join(nonOptions(c.Args[1:]), " "))...)
		out = append(out, suffixes(c)...)
	case name == "find":
		out = append(out, findActions(c)...)
	case runsArgs[name]:
		out = append(out, suffixes(c)...)
	}
	if len(out) > maxInner {
		out = out[:maxInner]
	}
	return out
}

// suffixes returns c.Args[i:] as a command for every i ≥ 1 where the word
// does not look like an option or an assignment.
func suffixes(c Cmd) []Cmd {
	var out []Cmd
	for i := 1; i < len(c.Args) && len(out) < maxInner; i++ {
		a := c.Args[i]
		if strings.HasPrefix(a, "-") || isAssignment(a) {
			continue
		}
		out = append(out, argsCmd(c, i, len(c.Args)))
	}
	return out
}

// findActions returns the commands of find's -exec, -execdir, -ok and
// -okdir actions, each ending at ";" or "+".
func findActions(c Cmd) []Cmd {
	var out []Cmd
	for i := 1; i < len(c.Args); i++ {
		switch c.Args[i] {
		case "-exec", "-execdir", "-ok", "-okdir":
		default:
			continue
		}
		j := i + 1
		for j < len(c.Args) && c.Args[j] != ";" && c.Args[j] != "+" {
			j++
		}
		if j > i+1 {
			out = append(out, argsCmd(c, i+1, j))
		}
		i = j
	}
	return out
}

// scriptAfterC parses the argument following -c (or an option cluster
// holding c, as in "bash -lc").
func scriptAfterC(args []string) []Cmd {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") {
			continue
		}
		if strings.ContainsRune(a[1:], 'c') && i+1 < len(args) {
			return script(args[i+1])
		}
	}
	return nil
}

// script returns the simple commands of src, or none when it does not parse
// (the shell would refuse it too).
func script(src string) []Cmd {
	cmds, err := SimpleCommands(src)
	if err != nil {
		return nil
	}
	return cmds
}

// argsCmd makes outer.Args[from:to] a command of its own.
func argsCmd(outer Cmd, from, to int) Cmd {
	c := Cmd{
		Name:        outer.Args[from],
		Args:        outer.Args[from:to],
		Text:        strings.Join(outer.Args[from:to], " "),
		WritesFiles: outer.WritesFiles,
	}
	if len(outer.kinds) == len(outer.Args) {
		c.kinds = outer.kinds[from:to]
		c.Dynamic = c.kinds[0] != literalWord
		for _, k := range c.kinds[1:] {
			c.DynamicArgs = c.DynamicArgs || k == dynamicWord
			c.GlobArgs = c.GlobArgs || k == globWord
		}
	} else {
		c.Dynamic, c.DynamicArgs, c.GlobArgs = outer.Dynamic, outer.DynamicArgs, outer.GlobArgs
	}
	return c
}

func nonOptions(args []string) []string {
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}

// isAssignment reports whether a looks like NAME=value.
func isAssignment(a string) bool {
	name, _, ok := strings.Cut(a, "=")
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i]) {
			return false
		}
	}
	return name[0] < '0' || name[0] > '9'
}
