package logging

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/qdev/qdev/internal/paths"
)

// lazyFile is an io.Writer that opens the log file on its first Write. The
// handler calls Write only for enabled records, which is what keeps a quiet
// run off the disk.
type lazyFile struct {
	path string

	mu     sync.Mutex // guards the fields below and serialises writes
	f      *os.File
	err    error // why the file could not be opened; sticky
	closed bool
}

var errClosed = errors.New("log file closed")

func (l *lazyFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, errClosed
	}
	if l.f == nil && l.err == nil {
		l.f, l.err = openLog(l.path)
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.f.Write(p)
}

// Close closes the file if it was opened and returns the error that kept
// it from opening, if any. Later writes are dropped.
func (l *lazyFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.f != nil {
		err := l.f.Close()
		l.f = nil
		return err
	}
	return l.err
}

// openLog opens path for appending, creating it 0600 in a private directory
// and emptying it when it is larger than maxSize (the Q CLI deletes it).
func openLog(path string) (*os.File, error) {
	if err := paths.EnsureDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err // the message names the path already
	}
	if err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() > maxSize {
		err = f.Truncate(0)
	}
	if err == nil && fi.Mode().Perm() != 0o600 {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	return f, nil
}
