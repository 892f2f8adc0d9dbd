package chat

import (
	"os"

	"golang.org/x/sys/unix"
)

// turnMode prepares the terminal for the time a turn runs, when the line
// editor is not reading: input stays line-buffered and Ctrl-C still raises
// SIGINT, but Enter is no longer translated to newline. Without this, a
// prompt typed ahead during a turn would reach the editor ending in Ctrl-J,
// which inserts a line break instead of submitting. It returns the function
// that restores the previous mode; on a non-terminal it does nothing.
func turnMode(f *os.File) (restore func()) {
	if f == nil {
		return func() {}
	}
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}
	}
	t := *old
	t.Iflag &^= unix.ICRNL
	// VEOL=\r ends a canonical line on Enter, so the typed-ahead line is
	// complete and readable once the editor switches to raw mode.
	t.Cc[unix.VEOL] = '\r'
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return func() {}
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}
