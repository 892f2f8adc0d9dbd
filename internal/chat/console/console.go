// Package console lets the writers of one terminal session (the answer,
// tool activity, warnings and a status line such as the spinner) share the
// screen, so each one's output starts on a fresh line and nothing is drawn
// over, or glued to, another's.
package console

import (
	"bytes"
	"io"
	"sync"
)

// Console is the shared line state of one terminal. It is safe for
// concurrent use.
type Console struct {
	mu sync.Mutex
	// midLine is set while the last byte written was not a newline; last is
	// the writer that left the line unfinished.
	midLine bool
	last    *writer
	// status is the status line to show below the output ("" for none);
	// drawn is set while it is on the screen, on statusW.
	status  string
	drawn   bool
	statusW io.Writer
}

// New returns a console with nothing written yet.
func New() *Console { return &Console{} }

// Writer returns a writer to w, which must be the console's terminal (or
// a stream to the same screen). Each call returns a distinct source: its
// writes continue its own unfinished line, but start on a fresh line after
// another source's.
func (c *Console) Writer(w io.Writer) io.Writer { return &writer{c: c, w: w} }

type writer struct {
	c *Console
	w io.Writer
}

func (s *writer) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.eraseStatus()
	if c.midLine && c.last != s {
		if _, err := io.WriteString(s.w, "\n"); err != nil {
			return 0, err
		}
	}
	n, err := s.w.Write(p)
	c.midLine, c.last = p[len(p)-1] != '\n', s
	c.drawStatus()
	return n, err
}

// SetStatus shows line as the status line on w, replacing the one shown;
// "" removes it. While another source's line is unfinished the status
// waits, so it is never glued to that line or erases it.
func (c *Console) SetStatus(w io.Writer, line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statusW = w
	if line == "" {
		c.eraseStatus()
		c.status = ""
		return
	}
	c.status = line
	c.drawStatus()
}

// eraseStatus removes the status line from the screen; c.mu must be held.
func (c *Console) eraseStatus() {
	if c.drawn {
		_, _ = io.WriteString(c.statusW, "\r\x1b[K\x1b[?25h")
		c.drawn = false
	}
}

// drawStatus shows the status line when there is one and the cursor is at
// the start of a line; c.mu must be held.
func (c *Console) drawStatus() {
	if c.status == "" || c.midLine {
		return
	}
	var b bytes.Buffer
	if !c.drawn {
		b.WriteString("\x1b[?25l") // no cursor blinking over the animation
	}
	b.WriteString("\r\x1b[K" + c.status)
	_, _ = c.statusW.Write(b.Bytes())
	c.drawn = true
}
