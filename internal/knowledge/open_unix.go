//go:build unix

package knowledge

import (
	"os"
	"syscall"
)

// Flags of readFile's open: never through a final symbolic link, and never
// blocking on a FIFO swapped in for a file.
const (
	oNoFollow = syscall.O_NOFOLLOW
	oNonBlock = syscall.O_NONBLOCK
)

// tryLock takes f's exclusive advisory lock without waiting; it fails when
// another open of the file, in this process or another, holds it.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// lock takes f's exclusive advisory lock, waiting for it.
func lock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}
