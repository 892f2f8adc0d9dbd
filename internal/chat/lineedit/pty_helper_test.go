package lineedit

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// ptyTerm is a pseudo-terminal whose slave side the editor uses and whose
// master side the test types into and reads the drawing from.
type ptyTerm struct {
	t      *testing.T
	master *os.File
	slave  *os.File

	mu     sync.Mutex
	cond   *sync.Cond
	out    bytes.Buffer
	closed bool
}

// failAfter bounds waits so that a broken editor fails the test instead of
// hanging it; it is not a speed assertion.
const failAfter = 20 * time.Second

func newPTY(t *testing.T, cols int) *ptyTerm {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	if err := pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	p := &ptyTerm{t: t, master: master, slave: slave}
	p.cond = sync.NewCond(&p.mu)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			if err != nil {
				p.closed = true
			}
			p.cond.Broadcast()
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		slave.Close()
		master.Close()
		<-done
	})
	return p
}

// output returns everything the editor has drawn so far.
func (p *ptyTerm) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor blocks until the output after offset from contains s.
func (p *ptyTerm) waitFor(s string, from int) {
	p.t.Helper()
	timedOut := false
	timer := time.AfterFunc(failAfter, func() {
		p.mu.Lock()
		timedOut = true
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for !strings.Contains(p.out.String()[from:], s) {
		if p.closed || timedOut {
			p.t.Fatalf("terminal never showed %q; output so far: %q", s, p.out.String())
		}
		p.cond.Wait()
	}
}

type result struct {
	line string
	err  error
}

// readLine runs ReadLine, waits until the prompt is drawn (so the terminal is
// in raw mode), types keys and returns what ReadLine returned once all its
// output has arrived.
func (p *ptyTerm) readLine(ed *Editor, prompt string, keys ...string) result {
	p.t.Helper()
	from := len(p.output())
	ch := make(chan result, 1)
	go func() {
		line, err := ed.ReadLine(prompt)
		ch <- result{line, err}
	}()
	p.waitFor(prompt, from)
	for _, k := range keys {
		if _, err := p.master.Write([]byte(k)); err != nil {
			p.t.Fatal(err)
		}
	}
	select {
	case r := <-ch:
		// ReadLine's last write switches bracketed paste off; once it is
		// read, the output is complete.
		p.waitFor(pasteOff, from)
		return r
	case <-time.After(failAfter):
		p.t.Fatalf("ReadLine did not return; output: %q", p.output())
	}
	return result{}
}

func (p *ptyTerm) state() *term.State {
	p.t.Helper()
	st, err := term.GetState(int(p.slave.Fd()))
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}
