package lineedit

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// vt is a tiny terminal emulator for tests: enough of xterm (autowrap with
// the pending-wrap state, CR, LF with scrolling, cursor moves, erase) to check
// what the editor's output looks like on a real screen.
type vt struct {
	rows, cols  int
	cells       [][]rune // 0 marks the right half of a wide character
	x, y        int
	pendingWrap bool
}

func newVT(rows, cols int) *vt {
	v := &vt{rows: rows, cols: cols}
	for range rows {
		v.cells = append(v.cells, v.blankRow())
	}
	return v
}

func (v *vt) blankRow() []rune {
	return []rune(strings.Repeat(" ", v.cols))
}

func (v *vt) lineFeed() {
	v.pendingWrap = false
	if v.y == v.rows-1 {
		v.cells = append(v.cells[1:], v.blankRow())
		return
	}
	v.y++
}

func (v *vt) write(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			i += v.escape(s[i:])
			continue
		case c == '\r':
			v.x, v.pendingWrap = 0, false
		case c == '\n':
			v.lineFeed()
		case c < 0x20:
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			v.put(r)
			i += size
			continue
		}
		i++
	}
}

func (v *vt) put(r rune) {
	_, w := cell(r)
	if w == 0 {
		return
	}
	if v.pendingWrap || v.x+w > v.cols {
		v.x = 0
		v.lineFeed()
	}
	v.cells[v.y][v.x] = r
	if w == 2 {
		v.cells[v.y][v.x+1] = 0
	}
	v.x += w
	if v.x >= v.cols {
		v.x, v.pendingWrap = v.cols-1, true
	}
}

// escape interprets the sequence at the start of s and returns its length.
func (v *vt) escape(s string) int {
	n := termwidth.EscapeLen(s)
	if n < 3 || s[1] != '[' {
		return max(n, 1)
	}
	params, final := s[2:n-1], s[n-1]
	if strings.HasPrefix(params, "?") {
		return n // private modes: cursor visibility, bracketed paste
	}
	arg := 1
	if p, err := strconv.Atoi(params); err == nil {
		arg = p
	}
	v.pendingWrap = false
	switch final {
	case 'A':
		v.y = max(0, v.y-arg)
	case 'B':
		v.y = min(v.rows-1, v.y+arg)
	case 'C':
		v.x = min(v.cols-1, v.x+arg)
	case 'D':
		v.x = max(0, v.x-arg)
	case 'H':
		v.x, v.y = 0, 0
	case 'J':
		if params == "2" {
			for y := range v.cells {
				v.cells[y] = v.blankRow()
			}
			break
		}
		for x := v.x; x < v.cols; x++ {
			v.cells[v.y][x] = ' '
		}
		for y := v.y + 1; y < v.rows; y++ {
			v.cells[y] = v.blankRow()
		}
	case 'K':
		for x := v.x; x < v.cols; x++ {
			v.cells[v.y][x] = ' '
		}
	}
	return n
}

// lines returns every row, right-trimmed.
func (v *vt) lines() []string {
	var out []string
	for _, row := range v.cells {
		out = append(out, strings.TrimRight(strings.ReplaceAll(string(row), "\x00", ""), " "))
	}
	return out
}

// screen returns the non-empty rows, right-trimmed, up to the last one with
// text or the cursor.
func (v *vt) screen() []string {
	out := v.lines()
	last := v.y
	for y, line := range out {
		if line != "" {
			last = max(last, y)
		}
	}
	return out[:last+1]
}
