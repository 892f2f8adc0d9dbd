package lineedit

import (
	"unicode/utf8"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// tabWidth is how many columns a tab in the buffer occupies on screen. A tab
// is drawn as spaces so that the editor, not the terminal's tab stops,
// decides where the cursor ends up.
const tabWidth = 4

// cell returns what to write to the terminal for r and how many columns it
// takes. Layout and drawing both go through it, so they can never disagree
// about where the cursor is.
func cell(r rune) (string, int) {
	switch {
	case r == '\t':
		return "    ", tabWidth
	case r < 0x20 || r == 0x7f:
		// Control characters (from a paste) are shown in caret notation
		// rather than sent raw, which would move the cursor.
		return "^" + string(rune(r^0x40)), 2
	case r >= 0x80 && r < 0xa0:
		return "?", 1
	case r == utf8.RuneError:
		return "\uFFFD", 1
	}
	return string(r), termwidth.Rune(r)
}
