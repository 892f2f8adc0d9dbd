// Package lineedit reads lines from a terminal with Emacs-style editing keys,
// history, multi-line input and bracketed paste. It knows nothing about chat:
// it returns the text the user submitted and leaves its meaning to the caller.
//
// On a terminal the editor switches it to raw mode for the duration of one
// ReadLine and restores it before returning. When the input is not a terminal
// (a pipe, a file, a test) it reads plain lines instead.
package lineedit

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrInterrupt is returned by ReadLine when the user pressed Ctrl-C.
var ErrInterrupt = errors.New("lineedit: interrupted")

// Options configures an Editor. The zero value is usable.
type Options struct {
	// History holds earlier lines, oldest first, for Up/Down and Ctrl-R.
	// The editor keeps its own copy.
	History []string
	// OnHistoryAdd, when set, is called with each line added to the history
	// (by ReadLine on submit or by AddHistory), e.g. to persist it.
	OnHistoryAdd func(line string)
	// Width, when set and returning a positive number, gives the terminal
	// width in columns; otherwise the editor asks the terminal.
	Width func() int
	// Shortcuts maps a letter to a line that Ctrl and that letter submits
	// at once, such as "/tangent" for Ctrl-T. Letters the editor binds
	// itself (Ctrl-A, Ctrl-R, …) keep their meaning. Text already typed is
	// put in the history, so Up brings it back.
	Shortcuts map[rune]string
}

// Editor reads lines from one input. It is not safe for concurrent use.
type Editor struct {
	in      *os.File
	out     io.Writer
	opts    Options
	history []string
	// pending holds bytes read from the terminal but not yet decoded, such
	// as keys typed ahead after Enter; they belong to the next ReadLine.
	pending []byte
	plain   *bufio.Reader
}

// New returns an Editor reading keys from in and drawing on out (normally
// os.Stdin and os.Stdout). A nil out discards the drawing.
func New(in *os.File, out io.Writer, opts Options) *Editor {
	if out == nil {
		out = io.Discard
	}
	return &Editor{
		in:      in,
		out:     out,
		opts:    opts,
		history: append([]string(nil), opts.History...),
	}
}

// AddHistory appends line to the history unless it is blank or equal to the
// newest entry, and then calls Options.OnHistoryAdd. ReadLine already adds
// every submitted line; call this for lines entered by other means.
func (e *Editor) AddHistory(line string) {
	if addHistory(&e.history, line) && e.opts.OnHistoryAdd != nil {
		e.opts.OnHistoryAdd(line)
	}
}

// ReadLine shows prompt and returns the line the user submitted with Enter,
// without the final newline; the text may hold newlines of its own (Ctrl-J,
// Alt-Enter, a trailing backslash, or a paste). The prompt may contain ANSI
// colour sequences and is assumed to start at the beginning of a screen
// line. ReadLine returns ErrInterrupt on Ctrl-C and io.EOF on Ctrl-D with an
// empty line or at the end of non-terminal input. The terminal state is
// restored before it returns, whatever the outcome.
func (e *Editor) ReadLine(prompt string) (string, error) {
	return e.Edit(prompt, "")
}

// Edit is ReadLine with text already in the line, the cursor after it,
// for the user to change and submit. On input that is not a terminal the
// text is not shown and a line is read as by ReadLine.
func (e *Editor) Edit(prompt, text string) (string, error) {
	if e.in == nil {
		return "", errors.New("lineedit: no input file")
	}
	fd := int(e.in.Fd())
	if !term.IsTerminal(fd) {
		return e.readPlain(prompt)
	}
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", errors.New("lineedit: cannot put the terminal in raw mode: " + err.Error())
	}
	defer func() {
		_, _ = io.WriteString(e.out, pasteOff)
		_ = term.Restore(fd, old)
	}()
	if _, err := io.WriteString(e.out, pasteOn); err != nil {
		return "", err
	}
	s := &session{e: e, prompt: prompt, nav: newNavigator(e.history)}
	s.buf.set(text)
	return s.run()
}

// readPlain reads one line without any terminal handling, for piped input.
func (e *Editor) readPlain(prompt string) (string, error) {
	if prompt != "" {
		if _, err := io.WriteString(e.out, prompt); err != nil {
			return "", err
		}
	}
	if e.plain == nil {
		e.plain = bufio.NewReader(e.in)
	}
	line, err := e.plain.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

// width returns the terminal width in columns, 80 when unknown.
func (e *Editor) width() int {
	if e.opts.Width != nil {
		if w := e.opts.Width(); w > 0 {
			return w
		}
	}
	if f, ok := e.out.(*os.File); ok && f != nil {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if w, _, err := term.GetSize(int(e.in.Fd())); err == nil && w > 0 {
		return w
	}
	return 80
}
