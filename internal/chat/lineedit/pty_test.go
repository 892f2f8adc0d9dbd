package lineedit

import (
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

func TestReadLineKeys(t *testing.T) {
	hist := []string{"git status", "go test", "git push"}
	tests := []struct {
		name    string
		history []string
		keys    []string
		want    string
		wantErr error
	}{
		{name: "plain", keys: []string{"hello\r"}, want: "hello"},
		{name: "left insert", keys: []string{"helo\x1b[Dl\r"}, want: "hello"},
		{name: "home end", keys: []string{"world\x1b[Hhello \x1b[F!\r"}, want: "hello world!"},
		{name: "ctrl-a ctrl-e", keys: []string{"bc\x01a\x05d\r"}, want: "abcd"},
		{name: "ctrl-b ctrl-f", keys: []string{"ac\x02b\x06d\r"}, want: "abcd"},
		{name: "backspace", keys: []string{"abx\x7fc\r"}, want: "abc"},
		{name: "delete key", keys: []string{"abxc\x1b[D\x1b[D\x1b[3~\r"}, want: "abc"},
		{name: "ctrl-d deletes under cursor", keys: []string{"abxc\x02\x02\x04\r"}, want: "abc"},
		{name: "ctrl-u", keys: []string{"foo bar\x02\x02\x02\x15\r"}, want: "bar"},
		{name: "ctrl-k", keys: []string{"foo bar\x01\x06\x06\x06\x0b\r"}, want: "foo"},
		{name: "ctrl-w", keys: []string{"foo bar baz\x17\x17qux\r"}, want: "foo qux"},
		{name: "ctrl-y yanks", keys: []string{"foo bar\x17\x01\x19 \r"}, want: "bar foo "},
		{name: "alt-b alt-f", keys: []string{"foo bar\x1bbX\x1bfY\r"}, want: "foo XbarY"},
		{name: "ctrl-left ctrl-right", keys: []string{"foo bar\x1b[1;5D\x1b[1;5D_\x1b[1;5C!\r"}, want: "_foo! bar"},
		{name: "alt-d", keys: []string{"foo bar\x01\x1bd\r"}, want: " bar"},
		{name: "wide runes", keys: []string{"日本\x7f語\x1b[Dx\r"}, want: "日x語"},
		{name: "split utf8 and escape", keys: []string{"\xe6\x97", "\xa5\x1b", "[D>\r"}, want: ">日"},
		{name: "ctrl-j newline", keys: []string{"line1\nline2\r"}, want: "line1\nline2"},
		{name: "alt-enter newline", keys: []string{"a\x1b\rb\r"}, want: "a\nb"},
		{name: "up moves between lines", keys: []string{"ab\ncd\x1b[AX\x1b[BY\r"}, want: "abX\ncdY"},
		{name: "backslash continues", keys: []string{"first \\\rsecond\r"}, want: "first \nsecond"},
		{name: "paste with newlines", keys: []string{"\x1b[200~one\rtwo\nthree\r\n\x1b[201~!\r"}, want: "one\ntwo\nthree\n!"},
		{name: "paste split across reads", keys: []string{"\x1b[200~a\rb", "c\x1b[20", "1~\r"}, want: "a\nbc"},
		{name: "ctrl-c", keys: []string{"abc\x03"}, wantErr: ErrInterrupt},
		{name: "ctrl-d on empty", keys: []string{"\x04"}, wantErr: io.EOF},
		{name: "ctrl-l keeps line", keys: []string{"abc\x0cd\r"}, want: "abcd"},
		{name: "history up", history: hist, keys: []string{"\x1b[A\x1b[A\r"}, want: "go test"},
		{name: "history keeps draft", history: hist, keys: []string{"draft\x1b[A\x1b[A\x1b[B\x1b[B\r"}, want: "draft"},
		{name: "history ctrl-p ctrl-n", history: hist, keys: []string{"\x10\x10\x10\x0e\r"}, want: "go test"},
		{name: "history edits kept", history: hist, keys: []string{"\x1b[A!\x1b[A\x1b[B\r"}, want: "git push!"},
		{name: "history top stops", history: hist, keys: []string{"\x1b[A\x1b[A\x1b[A\x1b[A\r"}, want: "git status"},
		{name: "reverse search", history: hist, keys: []string{"\x12git\r"}, want: "git push"},
		{name: "reverse search again", history: hist, keys: []string{"\x12git\x12\r"}, want: "git status"},
		{name: "reverse search then edit", history: hist, keys: []string{"\x12go\x05 ./...\r"}, want: "go test ./..."},
		{name: "reverse search cancel", history: hist, keys: []string{"draft\x12git\x07\r"}, want: "draft"},
		{name: "reverse search backspace", history: hist, keys: []string{"\x12gox\x7f\r"}, want: "go test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPTY(t, 80)
			before := p.state()
			ed := New(p.slave, p.slave, Options{History: tc.history})
			r := p.readLine(ed, "prompt> ", tc.keys...)
			if !errors.Is(r.err, tc.wantErr) || (tc.wantErr == nil && r.err != nil) {
				t.Fatalf("err = %v, want %v", r.err, tc.wantErr)
			}
			if r.line != tc.want {
				t.Errorf("line = %q, want %q", r.line, tc.want)
			}
			if after := p.state(); !reflect.DeepEqual(before, after) {
				t.Error("terminal state not restored")
			}
		})
	}
}

// TestShortcuts: Ctrl and a shortcut letter submits its line at once, the
// text typed so far going to the history; the editor's own keys win.
func TestShortcuts(t *testing.T) {
	p := newPTY(t, 80)
	ed := New(p.slave, p.slave, Options{Shortcuts: map[rune]string{'t': "/tangent", 'a': "/never"}})
	if r := p.readLine(ed, "> ", "draft\x14"); r.err != nil || r.line != "/tangent" {
		t.Fatalf("Ctrl-T: %q %v", r.line, r.err)
	}
	if r := p.readLine(ed, "> ", "\x1b[A\x1b[A\r"); r.line != "draft" {
		t.Fatalf("the draft is not in the history: %q", r.line)
	}
	if r := p.readLine(ed, "> ", "bc\x01a\r"); r.line != "abc" {
		t.Fatalf("Ctrl-A lost its meaning: %q", r.line)
	}
}

// TestEdit: Edit starts with the text in the line, ready to change.
func TestEdit(t *testing.T) {
	p := newPTY(t, 80)
	ed := New(p.slave, p.slave, Options{})
	ch := make(chan result, 1)
	go func() {
		line, err := ed.Edit("$ ", "ls -la")
		ch <- result{line, err}
	}()
	p.waitFor("ls -la", 0)
	if _, err := p.master.Write([]byte("\x7fh\r")); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-ch:
		if r.err != nil || r.line != "ls -lh" {
			t.Fatalf("Edit = %q, %v", r.line, r.err)
		}
	case <-time.After(failAfter):
		t.Fatalf("Edit did not return; output: %q", p.output())
	}
}
