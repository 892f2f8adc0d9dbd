//go:build linux

package audit

import (
	"os"
	"syscall"
)

// datasync makes f's written bytes durable. fdatasync suffices for an
// append-only file: the size it changes is flushed with the data, and the
// timestamps it skips are not needed to read the data back.
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = syscall.Fdatasync(int(fd)); serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
