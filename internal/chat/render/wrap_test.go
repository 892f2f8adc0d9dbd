package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

func wrapAll(t testing.TB, width int, chunks ...string) string {
	t.Helper()
	var out bytes.Buffer
	w := NewWrapper(&out, width)
	for _, c := range chunks {
		if n, err := w.Write([]byte(c)); err != nil || n != len(c) {
			t.Fatalf("Write(%q) = %d, %v", c, n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWrapBreaksAtSpaces(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		width    int
		want     string
	}{
		{"fits", "short line\nnext  one \n", 20, "short line\nnext  one \n"},
		{"words", "the quick brown fox jumps", 10, "the quick\nbrown fox\njumps"},
		{"exact", "abcd efgh", 9, "abcd efgh"},
		{"escapes take no room", "\x1b[1mthe\x1b[0m quick", 9, "\x1b[1mthe\x1b[0m quick"},
		{"style carried to the next line", "a \x1b[1mbold\x1b[0m", 4, "a\n\x1b[1mbold\x1b[0m"},
		{"wide characters", "日本語 日本語", 8, "日本語\n日本語"},
		{"indentation stays", "    code line here", 8, "    code\nline\nhere"},
		{"long word on its own line", "a verylongwordhere b", 5, "a\nverylongwordhere\nb"},
		{"tabs to the next stop", "ab\tcd", 10, "ab\tcd"},
		{"tab that overflows", "abc\tdefgh", 9, "abc\ndefgh"},
		{"new line resets the column", "12345\n12345 7", 7, "12345\n12345 7"},
		{"no room for the space before a control character", "00 \x10", 2, "00\x10 "},
		{"no room for the space before an escape", "a \x1b[0m b", 1, "a\x1b[0m\nb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrapAll(t, tc.width, tc.in); got != tc.want {
				t.Errorf("wrap(%q, %d)\n got %q\nwant %q", tc.in, tc.width, got, tc.want)
			}
		})
	}
}

// How the text is split into writes, even inside a UTF-8 character or an
// escape sequence, must not change the result.
func TestWrapDoesNotDependOnChunking(t *testing.T) {
	in := "Some \x1b[1;33mstyled\x1b[0m text, \x1b]8;;http://x\x07a link\x1b]8;;\x07, 日本語 and\ttabs,\nand a second line that is long enough to wrap twice at twenty."
	want := wrapAll(t, 20, in)
	for size := 1; size < 8; size++ {
		var chunks []string
		for s := in; len(s) > 0; {
			n := min(size, len(s))
			chunks = append(chunks, s[:n])
			s = s[n:]
		}
		if got := wrapAll(t, 20, chunks...); got != want {
			t.Fatalf("chunks of %d:\n got %q\nwant %q", size, got, want)
		}
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("the quick brown fox jumps over the lazy dog", 10)
	f.Add("\x1b[1mbold\x1b[0m 日本語\ttab\n  indented", 6)
	f.Fuzz(func(t *testing.T, in string, width int) {
		width = 1 + abs(width)%120
		got := wrapAll(t, width, in)
		half := len(in) / 2
		if split := wrapAll(t, width, in[:half], in[half:]); split != got {
			t.Fatalf("split write gave %q, one write %q", split, got)
		}
		// Wrapping only replaces spaces with line breaks: nothing else is
		// added, dropped or reordered.
		strip := func(s string) string {
			return strings.NewReplacer(" ", "", "\t", "", "\n", "").Replace(s)
		}
		if strip(got) != strip(in) {
			t.Fatalf("content changed:\n in %q\nout %q", in, got)
		}
		if utf8.ValidString(in) && !strings.ContainsAny(in, "\x1b\t") {
			for _, line := range strings.Split(got, "\n") {
				if cols := columns(strings.TrimRight(line, " ")); cols > width && breakable(line) {
					t.Fatalf("line %q is %d columns wide, more than %d, and could have been broken", line, cols, width)
				}
			}
		}
	})
}

// breakable reports whether line has a space after its first visible
// character, other than trailing ones: spaces before it are indentation,
// which the wrapper keeps.
func breakable(line string) bool {
	visible := false
	for _, r := range strings.TrimRight(line, " ") {
		switch {
		case r == ' ':
			if visible {
				return true
			}
		case termwidth.Rune(r) > 0:
			visible = true
		}
	}
	return false
}

func columns(s string) int {
	n := 0
	for _, r := range s {
		n += termwidth.Rune(r)
	}
	return n
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// A word held back when the text pauses is shown by Settle; if it then
// grows past the line's end it is cut there, as a terminal would.
func TestWrapSettleShowsTheHeldWord(t *testing.T) {
	var out bytes.Buffer
	w := NewWrapper(&out, 14)
	_, _ = w.Write([]byte("the quick bro"))
	if out.String() != "the quick" {
		t.Fatalf("before Settle: %q", out.String())
	}
	if err := w.Settle(); err != nil || out.String() != "the quick bro" {
		t.Fatalf("after Settle: %q, %v", out.String(), err)
	}
	_, _ = w.Write([]byte("wn fox jumps"))
	_ = w.Flush()
	if want := "the quick brow\nn fox jumps"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
