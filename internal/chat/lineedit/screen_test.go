package lineedit

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestLongLineRedraw types a 300-character line into an 80-column terminal,
// edits its start and end, and replays the output through a terminal
// emulator to check what the user sees.
func TestLongLineRedraw(t *testing.T) {
	p := newPTY(t, 80)
	before := p.state()
	text := strings.Repeat("abcdefghij", 30)
	ed := New(p.slave, p.slave, Options{})
	r := p.readLine(ed, "\x1b[1;32m> \x1b[0m", text, "\x01X\x05Y", "\x1b[D\x1b[D\x7f", "\r")
	want := "X" + text[:len(text)-2] + "jY"
	if r.err != nil || r.line != want {
		t.Fatalf("ReadLine = %q, %v; want %q", r.line, r.err, want)
	}
	v := newVT(24, 80)
	v.write(p.output())
	shown := "> " + want
	var rows []string
	for len(shown) > 80 {
		rows = append(rows, shown[:80])
		shown = shown[80:]
	}
	rows = append(rows, shown, "")
	if got := v.screen(); !reflect.DeepEqual(got, rows) {
		t.Errorf("screen =\n%q\nwant\n%q", got, rows)
	}
	if after := p.state(); !reflect.DeepEqual(before, after) {
		t.Fatal("terminal state not restored")
	}
	// Restored means cooked again: the line discipline turns CR into LF and
	// hands over whole lines.
	if _, err := p.master.Write([]byte("cooked\r")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 64)
		n, _ := p.slave.Read(buf)
		got <- string(buf[:n])
	}()
	select {
	case s := <-got:
		if s != "cooked\n" {
			t.Errorf("after ReadLine the terminal delivered %q, want canonical %q", s, "cooked\n")
		}
	case <-time.After(failAfter):
		t.Fatal("no cooked line delivered")
	}
}

// TestMultiLineRedraw checks the screen after editing a multi-line buffer
// whose lines also wrap, in a narrow terminal.
func TestMultiLineRedraw(t *testing.T) {
	p := newPTY(t, 20)
	ed := New(p.slave, p.slave, Options{})
	keys := []string{
		"first line that wraps around\n", "second\n", "日本語の文字列です",
		"\x1b[A\x1b[A", "\x01>> ", "\x1b[B\x1b[B\x05!", "\r",
	}
	r := p.readLine(ed, "> ", keys...)
	want := ">> first line that wraps around\nsecond\n日本語の文字列です!"
	if r.err != nil || r.line != want {
		t.Fatalf("ReadLine = %q, %v; want %q", r.line, r.err, want)
	}
	v := newVT(24, 20)
	v.write(p.output())
	rows := []string{
		"> >> first line that",
		" wraps around",
		"second",
		"日本語の文字列です!",
		"",
	}
	if got := v.screen(); !reflect.DeepEqual(got, rows) {
		t.Errorf("screen =\n%q\nwant\n%q", got, rows)
	}
}
