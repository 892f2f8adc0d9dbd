package render

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// syncBuffer is a writer whose contents can be awaited.
type syncBuffer struct {
	mu   sync.Mutex
	cond *sync.Cond
	b    bytes.Buffer
}

func newSyncBuffer() *syncBuffer {
	s := &syncBuffer{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cond.Broadcast()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor blocks until the output contains sub; the deadline only turns a
// hang into a failure.
func (s *syncBuffer) waitFor(t *testing.T, sub string) {
	t.Helper()
	timedOut := false
	timer := time.AfterFunc(20*time.Second, func() {
		s.mu.Lock()
		timedOut = true
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !strings.Contains(s.b.String(), sub) {
		if timedOut {
			t.Fatalf("spinner never wrote %q; got %q", sub, s.b.String())
		}
		s.cond.Wait()
	}
}

func TestSpinnerAnimatesAndErases(t *testing.T) {
	out := newSyncBuffer()
	s := newSpinner(out, true, time.Millisecond)
	s.Start("Thinking...")
	if got := out.String(); got != "\x1b[?25l\r\x1b[K⠋ Thinking..." {
		t.Fatalf("first frame = %q", got)
	}
	out.waitFor(t, "⠙ Thinking...")
	s.Start("Running tool...")
	out.waitFor(t, "Running tool...")
	s.Stop()
	got := out.String()
	if !strings.HasSuffix(got, "\r\x1b[K\x1b[?25h") {
		t.Fatalf("output after Stop does not end by erasing the line: %q", got)
	}
	s.Stop() // a second Stop is a no-op
	if out.String() != got {
		t.Error("second Stop wrote output")
	}
	s.Start("again")
	out.waitFor(t, "⠋ again")
	s.Stop()
}

func TestSpinnerSilentWhenNotTerminal(t *testing.T) {
	var b bytes.Buffer
	s := NewSpinner(&b)
	s.Start("Thinking...")
	s.Stop()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs := NewSpinner(f)
	fs.Start("Thinking...")
	fs.Stop()
	if info, _ := f.Stat(); b.Len() != 0 || info.Size() != 0 {
		t.Errorf("spinner wrote %q to a buffer and %d bytes to a file", b.String(), info.Size())
	}
}

func TestSpinnerEnabledOnTerminal(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	if !NewSpinner(slave).enabled {
		t.Error("spinner is disabled on a terminal")
	}
}
