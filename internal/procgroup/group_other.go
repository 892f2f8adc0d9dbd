//go:build !unix

package procgroup

import (
	"os/exec"
	"syscall"
)

// There are no process groups to use here: commands are killed alone.
func attr() *syscall.SysProcAttr { return nil }

func kill(cmd *exec.Cmd) error { return cmd.Process.Kill() }
