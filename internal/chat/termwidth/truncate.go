package termwidth

import (
	"strings"
	"unicode/utf8"
)

// Width returns the number of columns s takes on a terminal; escape
// sequences take none.
func Width(s string) int {
	w := 0
	for i := 0; i < len(s); {
		if n := EscapeLen(s[i:]); n > 0 {
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w += Rune(r)
		i += size
	}
	return w
}

// Truncate returns s cut to at most cols columns, ending in "…" when
// anything was cut, so that a status line never wraps. It cuts between
// characters, never inside a wide character or an escape sequence.
func Truncate(s string, cols int) string {
	if Width(s) <= cols {
		return s
	}
	if cols <= 0 {
		return ""
	}
	var b strings.Builder
	w := 0
	for i := 0; i < len(s); {
		if n := EscapeLen(s[i:]); n > 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if w+Rune(r) > cols-1 {
			break
		}
		b.WriteString(s[i : i+size])
		w += Rune(r)
		i += size
	}
	return b.String() + "…"
}
