//go:build unix

package audit

import (
	"errors"
	"os"
	"syscall"
)

// flock takes (exclusive) or shares f's advisory lock, waiting for it. The
// lock belongs to the open file, so two Trails in one process exclude each
// other as two processes do, and the kernel drops it when a process dies.
func flock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	return control(f, how)
}

// funlock releases f's lock.
func funlock(f *os.File) error { return control(f, syscall.LOCK_UN) }

func control(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) {
		for {
			lerr = syscall.Flock(int(fd), how)
			if !errors.Is(lerr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	return lerr
}
