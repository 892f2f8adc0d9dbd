//go:build unix

package procgroup

import (
	"os/exec"
	"syscall"
)

func kill(cmd *exec.Cmd) error { return Signal(cmd.Process.Pid, syscall.SIGKILL) }

// Signal sends sig to every member of the process group pgid. The group id
// cannot be reused while any member is alive, so signalling a group whose
// leader has exited still reaches what it left running.
func Signal(pgid int, sig syscall.Signal) error { return syscall.Kill(-pgid, sig) }
