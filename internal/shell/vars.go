package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// commandVars are environment variables whose value programs run as a
// shell command: git's pager, editor, ssh and external diff, the pager,
// less's preprocessor, bash's startup file and prompt command.
var commandVars = map[string]bool{
	"GIT_PAGER": true, "PAGER": true, "GIT_EDITOR": true, "EDITOR": true, "VISUAL": true,
	"GIT_SSH_COMMAND": true, "GIT_SSH": true, "GIT_EXTERNAL_DIFF": true, "GIT_ASKPASS": true,
	"SSH_ASKPASS": true, "LESSOPEN": true, "LESSCLOSE": true, "MANPAGER": true, "BASH_ENV": true,
	"ENV": true, "PROMPT_COMMAND": true, "GIT_SEQUENCE_EDITOR": true, "SUDO_ASKPASS": true,
	"LD_PRELOAD": true, "LD_LIBRARY_PATH": true,
}

// envCode records the command an assignment to a commandVars variable
// holds; a value computed at run time is code computed at run time.
func (c *Command) envCode(a *syntax.Assign) {
	if a == nil || a.Name == nil || !commandVars[a.Name.Value] {
		return
	}
	c.Effects |= Executes
	if a.Value == nil {
		return
	}
	v, _, ok := wordText(a.Value)
	if !ok {
		c.Effects |= UnknownCode
		return
	}
	if strings.HasPrefix(a.Name.Value, "LD_") || a.Name.Value == "BASH_ENV" || a.Name.Value == "ENV" {
		c.Effects |= HiddenCode // a library or a script file
		return
	}
	c.runs = append(c.runs, inner{script: v, isScript: true, via: ViaRuns})
}
