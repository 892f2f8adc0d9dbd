package render

import (
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// spinnerFrames are drawn in turn in front of the message.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

const spinnerInterval = 80 * time.Millisecond

// Spinner shows an animated one-line status such as "Thinking..." while the
// user waits, and erases it when stopped. It draws only on a terminal: on
// anything else Start and Stop write nothing. It is safe for concurrent use.
type Spinner struct {
	w io.Writer
	// set, when not nil, shows the line instead of drawing on w: a status
	// line shared with other writers ("" removes it).
	set      func(line string)
	enabled  bool
	interval time.Duration

	mu      sync.Mutex
	msg     string
	frame   int
	running bool
	stop    chan struct{}
	done    chan struct{}
}

// NewSpinner returns a spinner drawing on w, which is normally os.Stderr.
// It is silent unless w is a terminal.
func NewSpinner(w io.Writer) *Spinner {
	f, ok := w.(*os.File)
	return newSpinner(w, ok && f != nil && term.IsTerminal(int(f.Fd())), spinnerInterval)
}

// NewStatusSpinner returns a spinner that shows itself through set, which
// replaces a status line kept by something that shares the terminal with
// other writers (set("") removes it).
func NewStatusSpinner(set func(line string)) *Spinner {
	return &Spinner{set: set, enabled: true, interval: spinnerInterval}
}

func newSpinner(w io.Writer, enabled bool, interval time.Duration) *Spinner {
	return &Spinner{w: w, enabled: enabled, interval: interval}
}

// Start shows msg with the spinner, from the start of the current line,
// which it overwrites. Calling Start while running only changes the message.
func (s *Spinner) Start(msg string) {
	if !s.enabled {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msg = msg
	if s.running {
		s.drawLocked()
		return
	}
	s.running, s.frame = true, 0
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	if s.set == nil {
		_, _ = io.WriteString(s.w, "\x1b[?25l")
	}
	s.drawLocked()
	go s.spin(s.stop, s.done)
}

// Stop erases the spinner line and returns once nothing more will be drawn,
// so output written after Stop is never overdrawn. Stop without Start does
// nothing.
func (s *Spinner) Stop() {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	s.running = false
	close(s.stop)
	done := s.done
	s.mu.Unlock()
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set != nil {
		s.set("")
		return
	}
	_, _ = io.WriteString(s.w, "\r\x1b[K\x1b[?25h")
}

// spin advances the animation until stop is closed.
func (s *Spinner) spin(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.mu.Lock()
			if s.running {
				s.frame = (s.frame + 1) % len(spinnerFrames)
				s.drawLocked()
			}
			s.mu.Unlock()
		}
	}
}

// drawLocked redraws the line; s.mu must be held.
func (s *Spinner) drawLocked() {
	if s.set != nil {
		s.set(spinnerFrames[s.frame] + " " + s.msg)
		return
	}
	_, _ = io.WriteString(s.w, "\r\x1b[K"+spinnerFrames[s.frame]+" "+s.msg)
}
