package lineedit

import (
	"slices"
	"unicode"
)

// buffer is the text being edited and the cursor within it, counted in runes.
// The text may hold newlines; "line" below means one of those logical lines,
// independent of how the terminal wraps it.
type buffer struct {
	r   []rune
	pos int
}

func (b *buffer) String() string { return string(b.r) }

// set replaces the text and puts the cursor at its end.
func (b *buffer) set(s string) {
	b.r = []rune(s)
	b.pos = len(b.r)
}

func (b *buffer) insert(rs ...rune) {
	b.r = slices.Insert(b.r, b.pos, rs...)
	b.pos += len(rs)
}

// deleteRange removes [from, to) and returns the removed text.
func (b *buffer) deleteRange(from, to int) string {
	if from >= to {
		return ""
	}
	cut := string(b.r[from:to])
	b.r = slices.Delete(b.r, from, to)
	b.pos = from
	return cut
}

func (b *buffer) backspace() {
	if b.pos > 0 {
		b.deleteRange(b.pos-1, b.pos)
	}
}

func (b *buffer) deleteForward() {
	if b.pos < len(b.r) {
		keep := b.pos
		b.deleteRange(b.pos, b.pos+1)
		b.pos = keep
	}
}

func (b *buffer) left() {
	if b.pos > 0 {
		b.pos--
	}
}

func (b *buffer) right() {
	if b.pos < len(b.r) {
		b.pos++
	}
}

// lineStart is the index of the first rune of the logical line holding i.
func (b *buffer) lineStart(i int) int {
	for i > 0 && b.r[i-1] != '\n' {
		i--
	}
	return i
}

// lineEnd is the index of the newline ending the logical line holding i, or
// len(b.r) on the last line.
func (b *buffer) lineEnd(i int) int {
	for i < len(b.r) && b.r[i] != '\n' {
		i++
	}
	return i
}

func (b *buffer) home() { b.pos = b.lineStart(b.pos) }
func (b *buffer) end()  { b.pos = b.lineEnd(b.pos) }

// killToLineStart removes the text from the start of the logical line to the
// cursor (Ctrl-U) and returns it.
func (b *buffer) killToLineStart() string {
	return b.deleteRange(b.lineStart(b.pos), b.pos)
}

// killToLineEnd removes the text from the cursor to the end of the logical
// line (Ctrl-K); at the end of a line it joins the next line, as Emacs does,
// so repeated Ctrl-K can empty a multi-line buffer.
func (b *buffer) killToLineEnd() string {
	end := b.lineEnd(b.pos)
	if end == b.pos && end < len(b.r) {
		end++
	}
	keep := b.pos
	cut := b.deleteRange(b.pos, end)
	b.pos = keep
	return cut
}

// killWordBack removes the whitespace-delimited word before the cursor
// (Ctrl-W, unix-word-rubout).
func (b *buffer) killWordBack() string {
	i := b.pos
	for i > 0 && unicode.IsSpace(b.r[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(b.r[i-1]) {
		i--
	}
	return b.deleteRange(i, b.pos)
}

// isWordRune defines words for Alt-B/F/D: letters, digits and underscore.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordLeftIndex is where Alt-B moves: the start of the word before the cursor.
func (b *buffer) wordLeftIndex() int {
	i := b.pos
	for i > 0 && !isWordRune(b.r[i-1]) {
		i--
	}
	for i > 0 && isWordRune(b.r[i-1]) {
		i--
	}
	return i
}

// wordRightIndex is where Alt-F moves: the end of the word after the cursor.
func (b *buffer) wordRightIndex() int {
	i := b.pos
	for i < len(b.r) && !isWordRune(b.r[i]) {
		i++
	}
	for i < len(b.r) && isWordRune(b.r[i]) {
		i++
	}
	return i
}

func (b *buffer) wordLeft()  { b.pos = b.wordLeftIndex() }
func (b *buffer) wordRight() { b.pos = b.wordRightIndex() }

// killWordBackAlnum removes from the previous word start to the cursor
// (Alt-Backspace).
func (b *buffer) killWordBackAlnum() string {
	return b.deleteRange(b.wordLeftIndex(), b.pos)
}

// killWordForward removes from the cursor to the next word end (Alt-D).
func (b *buffer) killWordForward() string {
	keep := b.pos
	cut := b.deleteRange(b.pos, b.wordRightIndex())
	b.pos = keep
	return cut
}

// lineUp moves the cursor to the same column of the previous logical line and
// reports false, without moving, on the first line.
func (b *buffer) lineUp() bool {
	start := b.lineStart(b.pos)
	if start == 0 {
		return false
	}
	col := b.pos - start
	prevStart := b.lineStart(start - 1)
	b.pos = prevStart + min(col, start-1-prevStart)
	return true
}

// lineDown moves the cursor to the same column of the next logical line and
// reports false, without moving, on the last line.
func (b *buffer) lineDown() bool {
	end := b.lineEnd(b.pos)
	if end == len(b.r) {
		return false
	}
	col := b.pos - b.lineStart(b.pos)
	nextStart := end + 1
	b.pos = nextStart + min(col, b.lineEnd(nextStart)-nextStart)
	return true
}
