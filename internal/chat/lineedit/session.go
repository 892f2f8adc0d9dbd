package lineedit

import (
	"io"
	"strings"
)

// session is the state of one ReadLine on a terminal.
type session struct {
	e      *Editor
	prompt string
	buf    buffer
	nav    *navigator
	srch   *search // non-nil while Ctrl-R search is active
	yank   string  // the last killed text, for Ctrl-Y

	// row is the cursor's row in the last drawing, counted from the
	// prompt's first row; a redraw moves up that many rows to start over.
	row   int
	last  *frame
	width int
	err   error // first write error; ends the session

	// While more keys are already in hand (a paste without bracketed-paste
	// mode, typed-ahead input), draw only marks the screen stale and run
	// paints once they are handled: a redraw per key would make such input
	// quadratic in its length, for the editor and for the terminal.
	deferDraw bool
	stale     bool
}

// outcome is what handling a key decided: keep editing, or return.
type outcome struct {
	done bool
	line string
	err  error
}

func (s *session) write(str string) {
	if s.err != nil {
		return
	}
	_, s.err = io.WriteString(s.e.out, str)
}

func (s *session) run() (string, error) {
	s.paint()
	chunk := make([]byte, 4096)
	for s.err == nil {
		for len(s.e.pending) > 0 {
			k, n := decodeKey(s.e.pending)
			if n == 0 {
				break
			}
			s.e.pending = s.e.pending[n:]
			s.deferDraw = len(s.e.pending) > 0
			if o := s.handle(k); o.done {
				return o.line, o.err
			}
		}
		s.deferDraw = false
		if s.stale {
			s.paint()
		}
		n, err := s.e.in.Read(chunk)
		s.e.pending = append(s.e.pending, chunk[:n]...)
		if err != nil {
			s.write("\r\n")
			return "", err
		}
		if n == 0 {
			return "", io.EOF
		}
	}
	return "", s.err
}

// draw redraws the prompt and buffer, or marks them stale while deferDraw.
func (s *session) draw() {
	if s.deferDraw {
		s.stale = true
		return
	}
	s.paint()
}

// paint redraws the prompt and buffer from the prompt's first row.
func (s *session) paint() {
	s.stale = false
	prompt, text, pos := s.prompt, s.buf.r, s.buf.pos
	if s.srch != nil {
		view, at := s.srch.view(s.nav.entries)
		prompt, text, pos = s.srch.prompt(), []rune(view), at
	}
	s.width = s.e.width()
	f := layout(prompt, text, pos, s.width)
	s.write(redraw(s.row, f))
	s.row, s.last = f.curRow, f
}

// typeAtEnd handles the common case of typing at the end of the line by
// writing just the new character, when it cannot wrap; a full redraw per key
// would flicker and send a lot of bytes on long lines.
func (s *session) typeAtEnd(r rune) bool {
	str, w := cell(r)
	if s.stale || s.srch != nil || s.last == nil || s.buf.pos != len(s.buf.r) ||
		w == 0 || s.last.curCol+w >= s.width || s.e.width() != s.width {
		return false
	}
	s.buf.insert(r)
	s.write(str)
	s.last.curCol += w
	s.last.endCol = s.last.curCol
	return true
}

func (s *session) handle(k key) outcome {
	if s.srch != nil && s.handleSearch(k) {
		s.draw()
		return outcome{}
	}
	switch k.code {
	case keyRune:
		if s.typeAtEnd(k.r) {
			return outcome{}
		}
		s.buf.insert(k.r)
	case keyPaste:
		s.buf.insert([]rune(normalizeNewlines(k.text))...)
	case keyEnter:
		if n := len(s.buf.r); n > 0 && s.buf.r[n-1] == '\\' {
			s.buf.r[n-1] = '\n'
			s.buf.pos = n
		} else {
			return s.submit()
		}
	case keyNewline:
		s.buf.insert('\n')
	case keyBackspace:
		s.buf.backspace()
	case keyDelete:
		s.buf.deleteForward()
	case keyLeft:
		s.buf.left()
	case keyRight:
		s.buf.right()
	case keyHome:
		s.buf.home()
	case keyEnd:
		s.buf.end()
	case keyWordLeft:
		s.buf.wordLeft()
	case keyWordRight:
		s.buf.wordRight()
	case keyUp:
		if !s.buf.lineUp() {
			s.historyMove(-1)
		}
	case keyDown:
		if !s.buf.lineDown() {
			s.historyMove(+1)
		}
	case keyAltBackspace:
		s.kill(s.buf.killWordBackAlnum())
	case keyAltD:
		s.kill(s.buf.killWordForward())
	case keyCtrl:
		if o := s.handleCtrl(k.r); o.done {
			return o
		}
	default:
		return outcome{}
	}
	s.draw()
	return outcome{}
}

func (s *session) handleCtrl(r rune) outcome {
	switch r {
	case 'a':
		s.buf.home()
	case 'e':
		s.buf.end()
	case 'b':
		s.buf.left()
	case 'f':
		s.buf.right()
	case 'p':
		s.historyMove(-1)
	case 'n':
		s.historyMove(+1)
	case 'u':
		s.kill(s.buf.killToLineStart())
	case 'k':
		s.kill(s.buf.killToLineEnd())
	case 'w':
		s.kill(s.buf.killWordBack())
	case 'y':
		s.buf.insert([]rune(s.yank)...)
	case 'l':
		s.write(clearScreen)
		s.row = 0
	case 'r':
		s.srch = &search{match: -1, orig: s.buf.String(), origPos: s.buf.pos}
	case 'd':
		if len(s.buf.r) == 0 {
			s.write("\r\n")
			return outcome{done: true, err: io.EOF}
		}
		s.buf.deleteForward()
	case 'c':
		s.buf.pos = len(s.buf.r)
		s.paint()
		s.write("^C\r\n")
		return outcome{done: true, err: ErrInterrupt}
	default:
		if line, ok := s.e.opts.Shortcuts[r]; ok {
			s.e.AddHistory(s.buf.String())
			s.buf.set(line)
			return s.submit()
		}
	}
	return outcome{}
}

// kill remembers killed text for Ctrl-Y; empty kills keep the old text.
func (s *session) kill(cut string) {
	if cut != "" {
		s.yank = cut
	}
}

// historyMove loads the next older (-1) or newer (+1) history entry. Coming
// from below, the cursor goes to the end of the entry's first line so that
// another Up keeps walking the history instead of the entry's lines.
func (s *session) historyMove(delta int) {
	text, ok := s.nav.move(delta, s.buf.String())
	if !ok {
		return
	}
	s.buf.set(text)
	if delta < 0 {
		s.buf.pos = s.buf.lineEnd(0)
	}
}

// submit finishes the line: the cursor goes after the text and down a row.
func (s *session) submit() outcome {
	s.buf.pos = len(s.buf.r)
	s.paint()
	if s.last.endCol > 0 || s.last.endRow == 0 {
		s.write("\r\n")
	}
	line := s.buf.String()
	s.e.AddHistory(line)
	if s.err != nil {
		return outcome{done: true, err: s.err}
	}
	return outcome{done: true, line: line}
}

// handleSearch applies k to an active Ctrl-R search. It returns false when k
// ends the search and must then be handled as an ordinary key, with the match
// accepted into the buffer.
func (s *session) handleSearch(k key) bool {
	sr, entries := s.srch, s.nav.entries
	switch {
	case k.code == keyRune:
		sr.query = append(sr.query, k.r)
		from := len(entries) - 1
		if sr.match >= 0 {
			from = sr.match // a longer query may still match the same entry
		}
		sr.find(entries, from)
	case k.code == keyBackspace:
		if len(sr.query) > 0 {
			sr.query = sr.query[:len(sr.query)-1]
		}
		sr.match, sr.failed = -1, false
		if len(sr.query) > 0 {
			sr.find(entries, len(entries)-1)
		}
	case k.code == keyCtrl && k.r == 'r':
		if len(sr.query) > 0 {
			from := len(entries) - 1
			if sr.match >= 0 {
				from = sr.match - 1
			}
			sr.find(entries, from)
		}
	case k.code == keyCtrl && k.r == 'g', k.code == keyEscape:
		s.buf.set(sr.orig)
		s.buf.pos = sr.origPos
		s.srch = nil
	default:
		text, pos := sr.view(entries)
		s.buf.set(text)
		s.buf.pos = pos
		s.srch = nil
		return false
	}
	return true
}

// normalizeNewlines turns the CR and CRLF line ends that terminals send in a
// paste into LF.
func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
