package render

import (
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// Wrapper breaks the text written through it into lines of at most a given
// number of columns, at spaces, so that the terminal does not cut words in
// two (`q chat --wrap`). ANSI escape sequences take no room. A word longer
// than a whole line goes on a line of its own and the terminal cuts it.
//
// It holds back the word being written and the spaces before it until it
// knows whether they fit; Flush writes them out, and Settle writes out a
// word that fits so far when the text pauses. Lines that fit come out byte
// for byte as they went in. A Wrapper is not safe for concurrent use.
type Wrapper struct {
	w     io.Writer
	width int
	out   bytes.Buffer

	col    int    // columns used on the current output line
	space  []byte // the spaces after the last word
	spaceW int
	word   []byte // the word being read, escape sequences included
	wordW  int
	// open is set when Settle wrote out part of the current word: the rest
	// of it is written as it comes, cut at the line's end if it must be.
	open bool

	partial []byte // an incomplete UTF-8 sequence or escape sequence
}

// NewWrapper returns a Wrapper writing lines of at most width columns to w.
func NewWrapper(w io.Writer, width int) *Wrapper {
	return &Wrapper{w: w, width: max(width, 1)}
}

// Write wraps p. It returns len(p) unless writing to w fails.
func (x *Wrapper) Write(p []byte) (int, error) {
	data := p
	if len(x.partial) > 0 {
		data = append(x.partial, p...)
		x.partial = nil
	}
	for len(data) > 0 {
		if data[0] == 0x1b {
			n, complete := termwidth.Escape(data)
			if !complete {
				x.partial = append([]byte(nil), data...)
				break
			}
			x.addToWord(data[:n], 0)
			data = data[n:]
			continue
		}
		if !utf8.FullRune(data) {
			x.partial = append([]byte(nil), data...)
			break
		}
		r, size := utf8.DecodeRune(data)
		x.feed(r, data[:size])
		data = data[size:]
	}
	if err := x.send(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes out everything held back, as at the end of a line.
func (x *Wrapper) Flush() error {
	x.word = append(x.word, x.partial...)
	x.partial = nil
	x.placeWord()
	x.out.Write(x.space)
	x.space, x.spaceW = x.space[:0], 0
	return x.send()
}

// send writes the output gathered so far.
func (x *Wrapper) send() error {
	if x.out.Len() == 0 {
		return nil
	}
	_, err := x.w.Write(x.out.Bytes())
	x.out.Reset()
	return err
}

func (x *Wrapper) feed(r rune, b []byte) {
	switch r {
	case '\n':
		x.placeWord()
		x.out.Write(x.space)
		x.out.Write(b)
		x.space, x.spaceW, x.col = x.space[:0], 0, 0
	case ' ', '\t':
		x.placeWord()
		w := 1
		if r == '\t' {
			w = 8 - (x.col+x.spaceW)%8
		}
		x.space = append(x.space, b...)
		x.spaceW += w
	default:
		x.addToWord(b, termwidth.Rune(r))
	}
}

func (x *Wrapper) addToWord(b []byte, w int) {
	if !x.open {
		x.word = append(x.word, b...)
		x.wordW += w
		return
	}
	if w > 0 && x.col > 0 && x.col+w > x.width {
		x.out.WriteByte('\n')
		x.col = 0
	}
	x.out.Write(b)
	x.col += w
}

// Settle writes out the word being read if it fits on the current line, for
// when the text pauses: the reader sees it now, at the cost of cutting the
// word at the line's end should it grow past it.
func (x *Wrapper) Settle() error {
	if len(x.word) > 0 && (x.col == 0 || x.col+x.spaceW+x.wordW <= x.width) {
		x.placeWord()
		x.open = true
	}
	return x.send()
}

// placeWord writes the pending spaces and word on this line if they fit,
// or the word alone on the next line. Spaces at the start of a line are
// indentation and always stay. A word that takes no room (an escape
// sequence, a control character) never starts a line: when the spaces
// before it do not fit, it is written without them and they stay pending,
// for the next word to place or replace with a line break.
func (x *Wrapper) placeWord() {
	x.open = false
	if len(x.word) == 0 {
		return
	}
	switch {
	case x.col == 0 || x.col+x.spaceW+x.wordW <= x.width:
		x.out.Write(x.space)
		x.col += x.spaceW
		x.space, x.spaceW = x.space[:0], 0
	case x.wordW == 0:
		x.out.Write(x.word)
		x.word = x.word[:0]
		return
	default:
		x.out.WriteByte('\n')
		x.col = 0
		x.space, x.spaceW = x.space[:0], 0
	}
	x.out.Write(x.word)
	x.col += x.wordW
	x.word, x.wordW = x.word[:0], 0
}
