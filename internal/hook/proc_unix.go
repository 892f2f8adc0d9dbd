//go:build unix

package hook

import (
	"os/exec"
	"syscall"
)

// shell runs a hook command, as the Q CLI does on Unix.
var shell = []string{"bash", "-c"}

// newGroup puts the command in a process group of its own.
func newGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = groupAttr()
}

// killGroup kills the command's whole process group.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
