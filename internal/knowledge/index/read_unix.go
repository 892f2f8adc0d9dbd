//go:build unix

package index

import (
	"io/fs"
	"syscall"

	"github.com/qdev/qdev/internal/knowledge"
)

// Flags of readFile's open: never through a final symbolic link, and never
// blocking on a FIFO swapped in for a file.
const (
	oNoFollow = syscall.O_NOFOLLOW
	oNonBlock = syscall.O_NONBLOCK
)

// sameFile reports whether fi is the file f names by device and inode.
func sameFile(fi fs.FileInfo, f knowledge.File) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(st.Dev) == f.Dev && uint64(st.Ino) == f.Ino
}
