package lineedit

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// frame is one drawing of the prompt and buffer: the bytes to write, starting
// at column 0 of the prompt's first row, and where the cursor ends up and must
// be put, as rows below the prompt's first row and columns.
type frame struct {
	out            strings.Builder
	endRow, endCol int
	curRow, curCol int
}

// grid tracks the terminal cursor while a frame is laid out.
type grid struct {
	f     *frame
	width int
	row   int
	col   int
}

// put writes one cell of width w. Wrapping is done by the editor, not left to
// the terminal: a row that is exactly full is ended with CRLF at once, so the
// cursor never rests in the terminal's ambiguous "pending wrap" state and its
// position is always known.
func (g *grid) put(s string, w int) {
	if w > 0 && g.col > 0 && g.col+w > g.width {
		g.newline()
	}
	g.f.out.WriteString(s)
	g.col += w
	if g.col >= g.width {
		g.newline()
	}
}

func (g *grid) newline() {
	g.f.out.WriteString("\r\n")
	g.row++
	g.col = 0
}

// layout draws prompt followed by the buffer text for a terminal width
// columns wide and records the cursor position of rune index cursor.
func layout(prompt string, text []rune, cursor, width int) *frame {
	if width < 1 {
		width = 1
	}
	f := &frame{}
	g := &grid{f: f, width: width}
	for i := 0; i < len(prompt); {
		if n := termwidth.EscapeLen(prompt[i:]); n > 0 {
			f.out.WriteString(prompt[i : i+n])
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(prompt[i:])
		i += size
		if r == '\n' {
			g.newline()
			continue
		}
		g.put(cell(r))
	}
	for i, r := range text {
		if i == cursor {
			f.curRow, f.curCol = g.row, g.col
		}
		if r == '\n' {
			g.newline()
			continue
		}
		g.put(cell(r))
	}
	if cursor >= len(text) {
		f.curRow, f.curCol = g.row, g.col
	}
	f.endRow, f.endCol = g.row, g.col
	return f
}

// Terminal control sequences used for drawing.
const (
	clearToEnd  = "\x1b[J"
	hideCursor  = "\x1b[?25l"
	showCursor  = "\x1b[?25h"
	clearScreen = "\x1b[H\x1b[2J"
	pasteOn     = "\x1b[?2004h"
	pasteOff    = "\x1b[?2004l"
)

// cursorUp returns the sequence moving the cursor n rows up (none for n <= 0).
func cursorUp(n int) string {
	if n <= 0 {
		return ""
	}
	return "\x1b[" + strconv.Itoa(n) + "A"
}

// cursorRight returns the sequence moving the cursor n columns right.
func cursorRight(n int) string {
	if n <= 0 {
		return ""
	}
	return "\x1b[" + strconv.Itoa(n) + "C"
}

// redraw returns the bytes that erase the previous drawing, whose cursor was
// fromRow rows below the prompt's first row, draw f, and place the cursor.
func redraw(fromRow int, f *frame) string {
	var sb strings.Builder
	sb.WriteString(hideCursor)
	sb.WriteString(cursorUp(fromRow))
	sb.WriteString("\r")
	sb.WriteString(clearToEnd)
	sb.WriteString(f.out.String())
	sb.WriteString(cursorUp(f.endRow - f.curRow))
	sb.WriteString("\r")
	sb.WriteString(cursorRight(f.curCol))
	sb.WriteString(showCursor)
	return sb.String()
}
