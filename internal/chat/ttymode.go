package chat

import (
	"os"

	"golang.org/x/sys/unix"
)

// ttyModes holds the session's terminal in "turn mode" whenever the line
// editor is not reading (the editor switches to raw mode and back): input
// stays line-buffered and Ctrl-C still raises SIGINT, but Enter is no
// longer translated to newline. Without this, a prompt typed ahead while a
// turn or a command's output runs would reach the editor ending in Ctrl-J,
// which inserts a line break instead of submitting. Typed-ahead keys are
// not echoed into the answer being written; the editor shows each line
// when it takes it at the prompt.
//
// A nil *ttyModes (input is not a terminal) does nothing.
type ttyModes struct {
	fd   int
	user *unix.Termios // the mode the session started with
	turn unix.Termios
}

// enterTurnMode switches f to turn mode; it returns nil when f is not a
// terminal.
func enterTurnMode(f *os.File) *ttyModes {
	if f == nil {
		return nil
	}
	fd := int(f.Fd())
	user, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil
	}
	m := &ttyModes{fd: fd, user: user, turn: *user}
	m.turn.Iflag &^= unix.ICRNL
	m.turn.Lflag &^= unix.ECHO
	// VEOL=\r ends a canonical line on Enter, so the typed-ahead line is
	// complete and readable once the editor switches to raw mode.
	m.turn.Cc[unix.VEOL] = '\r'
	if unix.IoctlSetTermios(fd, unix.TCSETS, &m.turn) != nil {
		return nil
	}
	return m
}

// userMode gives the terminal back in the mode the session started with,
// for a program that takes it over ($EDITOR, a "!command"); the function it
// returns goes back to turn mode.
func (m *ttyModes) userMode() (back func()) {
	if m == nil {
		return func() {}
	}
	_ = unix.IoctlSetTermios(m.fd, unix.TCSETS, m.user)
	return func() { _ = unix.IoctlSetTermios(m.fd, unix.TCSETS, &m.turn) }
}

// restore leaves the terminal as the session found it.
func (m *ttyModes) restore() {
	if m != nil {
		_ = unix.IoctlSetTermios(m.fd, unix.TCSETS, m.user)
	}
}
