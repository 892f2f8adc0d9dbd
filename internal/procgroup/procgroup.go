// Package procgroup starts children in process groups of their own and
// kills whole groups, so that what a hook, an MCP server or a command
// starts in the background dies with it instead of outliving q.
package procgroup

import "os/exec"

// New makes cmd, not yet started, lead a process group of its own, out of
// reach of the terminal's Ctrl-C. On Linux the child is also killed if q
// dies without cleaning up (its own children are beyond that; killing the
// group is what reaches them). Call it only for commands started from an
// ordinary goroutine: Linux sends that signal when the starting OS thread
// ends, which for Go is only a goroutine that locked its thread and exited.
func New(cmd *exec.Cmd) { cmd.SysProcAttr = attr() }

// Kill kills the process group that cmd leads (where there are no groups,
// cmd itself). A command not started is left alone.
func Kill(cmd *exec.Cmd) error {
	if cmd == nil || cmd.Process == nil {
		return nil
	}
	return kill(cmd)
}
