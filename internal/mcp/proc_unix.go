//go:build unix

package mcp

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the server in a new process group, as the Q CLI does, so
// that stopping it also stops what it started (npx starts node, uvx python)
// and a Ctrl-C meant for qdev does not reach it.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = groupAttr()
}

// killGroup sends SIGKILL to the process group that cmd leads.
func killGroup(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
