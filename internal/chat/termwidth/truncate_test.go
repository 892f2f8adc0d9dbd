package termwidth

import (
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		s    string
		cols int
		want string
	}{
		{"retrying in 0.4s", 40, "retrying in 0.4s"},
		{"retrying in 0.4s", 16, "retrying in 0.4s"},
		{"retrying in 0.4s", 15, "retrying in 0.…"},
		{"日本語テキスト", 7, "日本語…"}, // never half a wide character
		{"\x1b[33mwarning\x1b[0m", 7, "\x1b[33mwarning\x1b[0m"},
		{"abc", 0, ""},
	} {
		if got := Truncate(c.s, c.cols); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.cols, got, c.want)
		}
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("⟳ retrying in 12.5s (attempt 2 of 6): cannot reach http://127.0.0.1:11434", 30)
	f.Add("日本語\x1b[31mred", 4)
	f.Fuzz(func(t *testing.T, s string, cols int) {
		if cols < 0 || cols > 1000 || !utf8.ValidString(s) {
			return
		}
		got := Truncate(s, cols)
		if w := Width(got); w > cols {
			t.Fatalf("Truncate(%q, %d) = %q is %d columns", s, cols, got, w)
		}
		if Width(s) <= cols && got != s {
			t.Fatalf("Truncate(%q, %d) = %q changed a string that fits", s, cols, got)
		}
	})
}
