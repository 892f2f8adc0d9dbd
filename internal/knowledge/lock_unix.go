//go:build unix

package knowledge

import (
	"io/fs"
	"os"
	"syscall"
)

// fileID is the device and inode of the file fi describes.
func fileID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}

// tryLock takes f's exclusive advisory lock without waiting; it fails when
// another open of the file, in this process or another, holds it.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
