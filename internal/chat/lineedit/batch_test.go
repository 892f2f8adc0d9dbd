package lineedit

import (
	"strings"
	"testing"
)

// countingWriter counts the bytes the editor draws.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// TestInputInHandIsDrawnOnce: keys that arrive together, as a paste
// without bracketed-paste mode does, are drawn once, not once per key or
// per screen row, which would write a quadratic amount to the terminal.
func TestInputInHandIsDrawnOnce(t *testing.T) {
	text := strings.Repeat("lorem ipsum dolor sit amet ", 2000) // 54 KB, 675 rows of 80
	out := &countingWriter{}
	e := New(nil, out, Options{Width: func() int { return 80 }})
	e.pending = []byte(text + "\r" + "typed ahead")
	s := &session{e: e, prompt: "> ", nav: newNavigator(e.history)}
	line, err := s.run()
	if err != nil || line != text {
		t.Fatalf("run = %d bytes, %v; want the %d pasted", len(line), err, len(text))
	}
	if out.n > 3*len(text) {
		t.Errorf("drew %d bytes for %d typed", out.n, len(text))
	}
	if string(e.pending) != "typed ahead" {
		t.Errorf("input after Enter = %q, want it kept for the next line", e.pending)
	}
}
