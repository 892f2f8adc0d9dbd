package termwidth

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// SafeWriter passes untrusted text (command output, file contents, MCP
// results, hook output) to a terminal with its control sequences
// neutralised, so the text cannot move the cursor, clear the screen, set
// the clipboard (OSC 52) or the window title, or plant hyperlinks. Colours
// and styles (SGR, ESC [ … m) pass. Every other CSI, OSC, DCS, SOS, PM and
// APC sequence and every other escape is dropped; C0 controls other than
// newline and tab, DEL and bytes that are not UTF-8 are shown as \xHH, C1
// controls and bidirectional overrides as <U+XXXX>. A carriage return
// becomes a newline (CR LF one newline): a progress bar then prints each
// state on its own line instead of overwriting, and no text can be hidden
// by writing over it. Sequences cut across Write calls are reassembled.
type SafeWriter struct {
	w       io.Writer
	pending []byte // an unfinished sequence or character
	afterCR bool   // the last byte was a CR, shown as a newline
}

// NewSafeWriter returns a SafeWriter writing to w.
func NewSafeWriter(w io.Writer) *SafeWriter { return &SafeWriter{w: w} }

// maxPending bounds an unterminated sequence held for the next Write; a
// longer one is dropped, so endless input cannot grow memory.
const maxPending = 4096

// Write neutralises p and writes the result; it reports len(p) written
// unless the underlying writer fails.
func (s *SafeWriter) Write(p []byte) (int, error) {
	data := p
	if len(s.pending) > 0 {
		data = append(s.pending, p...)
		s.pending = nil
	}
	out := make([]byte, 0, len(data)+16)
	for i := 0; i < len(data); {
		c := data[i]
		if c != '\n' {
			s.afterCR = false
		}
		switch {
		case c == 0x1b:
			n, complete := sequence(data[i:])
			if !complete {
				if len(data)-i <= maxPending {
					s.pending = append([]byte(nil), data[i:]...)
				}
				i = len(data)
				continue
			}
			if isSGR(data[i : i+n]) {
				out = append(out, data[i:i+n]...)
			}
			i += n
		case c == '\r':
			out = append(out, '\n')
			s.afterCR = true
			i++
		case c == '\n':
			if !s.afterCR {
				out = append(out, '\n')
			}
			s.afterCR = false
			i++
		case c == '\t':
			out = append(out, c)
			i++
		case c < 0x20 || c == 0x7f:
			out = fmt.Appendf(out, `\x%02x`, c)
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			if !utf8.FullRune(data[i:]) {
				s.pending = append([]byte(nil), data[i:]...)
				i = len(data)
				continue
			}
			r, size := utf8.DecodeRune(data[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				out = fmt.Appendf(out, `\x%02x`, c)
			case r < 0xa0 || IsBidiControl(r):
				out = fmt.Appendf(out, "<U+%04X>", r)
			default:
				out = append(out, data[i:i+size]...)
			}
			i += size
		}
	}
	if _, err := s.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// sequence returns the length of the escape sequence at the start of b
// and whether it is complete. Besides what Escape knows (CSI, OSC, two-byte
// escapes) it reads DCS, SOS, PM and APC strings, which end at ST.
func sequence(b []byte) (int, bool) {
	if len(b) >= 2 {
		switch b[1] {
		case 'P', 'X', '^', '_':
			for i := 2; i+1 < len(b); i++ {
				if b[i] == 0x1b && b[i+1] == '\\' {
					return i + 2, true
				}
			}
			return len(b), false
		}
	}
	return Escape(b)
}

// isSGR reports whether seq is ESC [ params m with only digits, ';' and
// ':' as parameters: a colour or style change and nothing else.
func isSGR(seq []byte) bool {
	if len(seq) < 3 || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	for _, c := range seq[2 : len(seq)-1] {
		if (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}
