package hook

import "syscall"

// groupAttr starts a child in a process group of its own. Pdeathsig also
// kills the child itself if q dies without cleaning up (SIGKILL); its own
// children are beyond its reach, and Linux sends the signal when the
// spawning OS thread ends, which for Go means only a goroutine that locked
// its thread and exited: none that starts hook processes does.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
