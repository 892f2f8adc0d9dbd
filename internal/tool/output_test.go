package tool

import (
	"strings"
	"testing"
)

func TestTailBuffer(t *testing.T) {
	tests := []struct {
		name     string
		writes   []string
		limit    int
		maxLines int
		want     string
	}{
		{"small", []string{"a\nb\n"}, 100, 10, "a\nb"},
		{"no final newline", []string{"a\n", "b"}, 100, 10, "a\nb"},
		{"line limit", []string{"1\n2\n3\n4\n"}, 100, 2, truncatedNote + "3\n4"},
		{"byte limit drops the partial line", []string{"aaaa\nbbbb\n", "cccc\n"}, 8, 10, truncatedNote + "cccc"},
		{"one long line is cut", []string{strings.Repeat("x", 50)}, 10, 10, truncatedNote + strings.Repeat("x", 10)},
		{"huge single write", []string{strings.Repeat("y", 30) + "\nz\n"}, 6, 10, truncatedNote + "z"},
		{"hidden unicode", []string{"a\u2028b\U000E0020c"}, 100, 10, "abc"},
		{"split rune", []string{"€€€€"}, 5, 10, truncatedNote + "€"},
	}
	for _, tc := range tests {
		b := newTailBuffer(tc.limit)
		total := 0
		for _, w := range tc.writes {
			b.Write([]byte(w))
			total += len(w)
		}
		if got := b.Text(tc.maxLines); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if b.Total() != int64(total) {
			t.Errorf("%s: Total %d, want %d", tc.name, b.Total(), total)
		}
		if len(b.buf) > 2*tc.limit {
			t.Errorf("%s: holds %d bytes for limit %d", tc.name, len(b.buf), tc.limit)
		}
	}
}

func TestSanitizeUnicode(t *testing.T) {
	in := "ok\u200b\u200f\u202e\u2060\ufff9\ufffe\U000E0001\U000E007Fé漢😀"
	if got := SanitizeUnicode(in); got != "oké漢😀" {
		t.Errorf("got %q", got)
	}
}
