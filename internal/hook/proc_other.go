//go:build !unix

package hook

import "os/exec"

// shell runs a hook command, as the Q CLI does on Windows.
var shell = []string{"cmd", "/C"}

// newGroup does nothing: there are no process groups to use here.
func newGroup(*exec.Cmd) {}

// killGroup kills the command itself.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
