package termwidth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Visible renders s so that a terminal shows every character of it: what
// a user approves is then exactly what runs. Newlines and tabs stay as
// they are (a multi-line command or a diff keeps its shape, and neither
// can overwrite text once CR is visible); every other control character,
// ESC and DEL become \r or \xHH; C1 controls, bidirectional overrides,
// zero-width and other invisible format characters become <U+XXXX>; a byte
// that is not UTF-8 becomes \xHH. Plain text, backslashes included, is left
// alone except where it could be mistaken for one of these forms: a run of
// backslashes before x, r or < is doubled, and a "<" starting "<U+" is
// written "\<". So distinct inputs give distinct displays, and the result
// holds no control or format character but "\n" and "\t".
func Visible(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	run := 0 // backslashes waiting to see what follows them
	emit := func(text string) {
		n := run
		if text != "" && strings.ContainsRune(`xr<\`, rune(text[0])) {
			n *= 2
		}
		b.WriteString(strings.Repeat(`\`, n))
		run = 0
		b.WriteString(text)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			emit(fmt.Sprintf(`\x%02x`, s[i]))
		case r == '\\':
			run++
		case r == '<' && strings.HasPrefix(s[i+1:], "U+"):
			emit(`\<`)
		default:
			emit(visibleRune(r))
		}
		i += size
	}
	emit("")
	return b.String()
}

// needsEscape reports whether Visible would change s.
func needsEscape(s string) bool {
	for i, r := range s {
		if r == '\\' || r == '<' && strings.HasPrefix(s[i+1:], "U+") || (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) {
			return true
		}
		if r != '\n' && r != '\t' && hidden(r) {
			return true
		}
	}
	return false
}

// visibleRune is r itself, or its visible form when a terminal would not
// print it as a character.
func visibleRune(r rune) string {
	switch {
	case r == '\n' || r == '\t':
		return string(r)
	case r == '\r':
		return `\r`
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case hidden(r):
		return fmt.Sprintf("<U+%04X>", r)
	}
	return string(r)
}

// invisibleLetters are letters that print as blank space, usable to hide
// text between visible words.
var invisibleLetters = map[rune]bool{0x115F: true, 0x1160: true, 0x3164: true, 0xFFA0: true}

// hidden reports whether r is not shown as itself: C0 and C1 controls,
// DEL, format characters (bidirectional controls, zero-width spaces and
// joiners, the byte-order mark, tag characters), line and paragraph
// separators, and letters that print as nothing.
func hidden(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) || invisibleLetters[r]
}

// IsBidiControl reports whether r changes the direction of the text around
// it, and so can make a terminal show characters in an order other than
// the one they run in.
func IsBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
