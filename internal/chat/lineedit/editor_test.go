package lineedit

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestTypeAhead sends two lines at once; the second is kept for the next
// ReadLine instead of being lost.
func TestTypeAhead(t *testing.T) {
	p := newPTY(t, 80)
	var added []string
	ed := New(p.slave, p.slave, Options{OnHistoryAdd: func(s string) { added = append(added, s) }})
	if r := p.readLine(ed, "1> ", "one\rtwo\r"); r.line != "one" || r.err != nil {
		t.Fatalf("first ReadLine = %q, %v", r.line, r.err)
	}
	if r := p.readLine(ed, "2> "); r.line != "two" || r.err != nil {
		t.Fatalf("second ReadLine = %q, %v", r.line, r.err)
	}
	if r := p.readLine(ed, "3> ", "\x1b[A\x1b[A\r"); r.line != "one" {
		t.Fatalf("history after two lines: got %q, want %q", r.line, "one")
	}
	if want := []string{"one", "two", "one"}; !reflect.DeepEqual(added, want) {
		t.Errorf("OnHistoryAdd saw %q, want %q", added, want)
	}
}

func TestPlainInput(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		_, _ = w.WriteString("first\nsecond\r\n\x1b[Araw\nlast")
		w.Close()
	}()
	var out bytes.Buffer
	ed := New(r, &out, Options{History: []string{"old"}})
	for _, want := range []string{"first", "second", "\x1b[Araw", "last"} {
		got, err := ed.ReadLine("> ")
		if err != nil || got != want {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := ed.ReadLine("> "); err != io.EOF {
		t.Fatalf("at end of input err = %v, want io.EOF", err)
	}
	if out.String() != strings.Repeat("> ", 5) {
		t.Errorf("plain mode wrote %q, want only the prompts", out.String())
	}
}

func TestAddHistory(t *testing.T) {
	var added []string
	ed := New(nil, nil, Options{History: []string{"a"}, OnHistoryAdd: func(s string) { added = append(added, s) }})
	for _, l := range []string{"a", "  ", "b", "b", "a"} {
		ed.AddHistory(l)
	}
	if want := []string{"a", "b", "a"}; !reflect.DeepEqual(ed.history, want) {
		t.Errorf("history = %q, want %q", ed.history, want)
	}
	if want := []string{"b", "a"}; !reflect.DeepEqual(added, want) {
		t.Errorf("OnHistoryAdd saw %q, want %q", added, want)
	}
	if _, err := ed.ReadLine("> "); err == nil {
		t.Error("ReadLine without an input file succeeded")
	}
}

// failingWriter accepts ok writes and then fails.
type failingWriter struct{ ok int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.ok <= 0 {
		return 0, errors.New("display gone")
	}
	w.ok--
	return len(p), nil
}

// TestRestoreOnError makes drawing fail while in raw mode: ReadLine must
// return the error and still restore the terminal mode.
func TestRestoreOnError(t *testing.T) {
	p := newPTY(t, 80)
	before := p.state()
	for ok := range 2 {
		ed := New(p.slave, &failingWriter{ok: ok}, Options{Width: func() int { return 80 }})
		if _, err := ed.ReadLine("> "); err == nil || err.Error() != "display gone" {
			t.Fatalf("ReadLine with failing output (after %d writes) = %v, want the write error", ok, err)
		}
		if after := p.state(); !reflect.DeepEqual(before, after) {
			t.Fatalf("terminal state not restored after an error (after %d writes)", ok)
		}
	}
}
