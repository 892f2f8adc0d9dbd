//go:build unix && !linux

package hook

import "syscall"

// groupAttr starts a child in a process group of its own.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
