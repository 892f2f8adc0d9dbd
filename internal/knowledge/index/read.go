package index

import (
	"errors"
	"io"
	"os"

	"github.com/qdev/qdev/internal/knowledge"
)

var errTooLarge = errors.New("over 10 MiB")

// readFile reads f if it is still the file the walk judged: a regular
// file, not a link (O_NOFOLLOW), the same device and inode (a folder on its
// path replaced by a link would give another), within MaxFileBytes.
func readFile(f knowledge.File) ([]byte, error) {
	fd, err := os.OpenFile(f.Abs, os.O_RDONLY|oNoFollow|oNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	now, err := fd.Stat()
	if err != nil {
		return nil, err
	}
	if !now.Mode().IsRegular() || !sameFile(now, f) {
		return nil, errors.New("changed since it was found")
	}
	// One read of the size found, plus a byte to see whether it grew.
	data := make([]byte, min(now.Size(), knowledge.MaxFileBytes)+1)
	n, err := io.ReadFull(fd, data)
	switch {
	case err == nil:
		return nil, errTooLarge
	case err != io.EOF && err != io.ErrUnexpectedEOF:
		return nil, err
	}
	return data[:n], nil
}
