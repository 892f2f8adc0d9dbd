package lineedit

import (
	"bytes"
	"unicode/utf8"
)

// keyCode names one decoded key press.
type keyCode int

const (
	keyUnknown   keyCode = iota // a sequence we recognise as complete but do not handle
	keyRune                     // a character to insert, in key.r
	keyCtrl                     // a control key; key.r holds the lower-case letter ('a' for Ctrl-A)
	keyEnter                    // CR: submit
	keyNewline                  // Ctrl-J (LF) or Alt-Enter: insert a newline
	keyBackspace                // DEL or Ctrl-H
	keyDelete                   // the Delete key
	keyLeft
	keyRight
	keyUp
	keyDown
	keyHome
	keyEnd
	keyWordLeft     // Alt-B, Ctrl-Left, Alt-Left
	keyWordRight    // Alt-F, Ctrl-Right, Alt-Right
	keyAltBackspace // delete the word before the cursor
	keyAltD         // delete the word after the cursor
	keyPaste        // bracketed paste; key.text holds the pasted bytes
	keyEscape       // a lone ESC that starts no sequence we know
)

// key is one decoded key press.
type key struct {
	code keyCode
	r    rune
	text string
}

// pasteEnd closes a bracketed paste opened by ESC [ 200 ~.
var pasteEnd = []byte("\x1b[201~")

// maxCSI bounds how long we wait for a CSI sequence to finish; a terminal
// never sends longer ones, so anything longer is garbage to be skipped.
const maxCSI = 32

// decodeKey decodes the first key press in b. It returns n == 0 when b holds
// only the beginning of a key (an incomplete escape sequence, UTF-8 rune or
// bracketed paste) and more bytes must be read. Otherwise 0 < n <= len(b).
func decodeKey(b []byte) (key, int) {
	if len(b) == 0 {
		return key{}, 0
	}
	c := b[0]
	switch {
	case c == 0x1b:
		return decodeEscape(b)
	case c == '\r':
		return key{code: keyEnter}, 1
	case c == '\n':
		return key{code: keyNewline}, 1
	case c == '\t':
		return key{code: keyRune, r: '\t'}, 1
	case c == 0x7f || c == 0x08:
		return key{code: keyBackspace}, 1
	case c >= 0x01 && c <= 0x1a:
		return key{code: keyCtrl, r: rune('a' + c - 1)}, 1
	case c < 0x20:
		return key{code: keyUnknown}, 1
	case c < utf8.RuneSelf:
		return key{code: keyRune, r: rune(c)}, 1
	}
	if !utf8.FullRune(b) {
		return key{}, 0
	}
	r, size := utf8.DecodeRune(b)
	if r == utf8.RuneError && size == 1 {
		return key{code: keyUnknown}, 1
	}
	return key{code: keyRune, r: r}, size
}

// decodeEscape decodes a key that starts with ESC. A lone ESC waits for the
// next byte, which makes ESC work as a Meta prefix (ESC then b is Alt-B) the
// way readline treats it, without needing read timeouts.
func decodeEscape(b []byte) (key, int) {
	if len(b) < 2 {
		return key{}, 0
	}
	switch c := b[1]; {
	case c == '[':
		return decodeCSI(b)
	case c == 'O':
		if len(b) < 3 {
			return key{}, 0
		}
		if k, ok := finalKey(b[2], ""); ok {
			return k, 3
		}
		if b[2] >= 0x40 && b[2] <= 0x7e {
			return key{code: keyUnknown}, 3
		}
		return key{code: keyUnknown}, 2
	case c == '\r' || c == '\n':
		return key{code: keyNewline}, 2
	case c == 0x7f || c == 0x08:
		return key{code: keyAltBackspace}, 2
	case c == 'b' || c == 'B':
		return key{code: keyWordLeft}, 2
	case c == 'f' || c == 'F':
		return key{code: keyWordRight}, 2
	case c == 'd' || c == 'D':
		return key{code: keyAltD}, 2
	case c > 0x20 && c < 0x7f:
		return key{code: keyUnknown}, 2
	default:
		// ESC followed by a control key or ESC: report the ESC alone so the
		// next key (Ctrl-C in particular) keeps its own meaning.
		return key{code: keyEscape}, 1
	}
}

// decodeCSI decodes ESC [ params intermediates final.
func decodeCSI(b []byte) (key, int) {
	i := 2
	for i < len(b) && b[i] >= 0x30 && b[i] <= 0x3f {
		i++
	}
	for i < len(b) && b[i] >= 0x20 && b[i] <= 0x2f {
		i++
	}
	if i >= len(b) {
		if i >= maxCSI {
			return key{code: keyUnknown}, i
		}
		return key{}, 0
	}
	final := b[i]
	if final < 0x40 || final > 0x7e {
		// Not a valid sequence: drop what we have and decode the odd byte
		// on its own next time.
		return key{code: keyUnknown}, i
	}
	params := string(b[2:i])
	n := i + 1
	if final == '~' && params == "200" {
		end := bytes.Index(b[n:], pasteEnd)
		if end < 0 {
			return key{}, 0
		}
		return key{code: keyPaste, text: string(b[n : n+end])}, n + end + len(pasteEnd)
	}
	if k, ok := finalKey(final, params); ok {
		return k, n
	}
	return key{code: keyUnknown}, n
}

// finalKey maps the final byte and parameters of a CSI or SS3 sequence.
func finalKey(final byte, params string) (key, bool) {
	// "1;3" is Alt and "1;5" Ctrl in xterm's modifier encoding; both turn
	// horizontal arrows into word moves.
	modified := params == "1;3" || params == "1;5" || params == "5" || params == "3"
	switch final {
	case 'A':
		return key{code: keyUp}, true
	case 'B':
		return key{code: keyDown}, true
	case 'C':
		if modified {
			return key{code: keyWordRight}, true
		}
		return key{code: keyRight}, true
	case 'D':
		if modified {
			return key{code: keyWordLeft}, true
		}
		return key{code: keyLeft}, true
	case 'H':
		return key{code: keyHome}, true
	case 'F':
		return key{code: keyEnd}, true
	case '~':
		switch params {
		case "1", "7":
			return key{code: keyHome}, true
		case "4", "8":
			return key{code: keyEnd}, true
		case "3":
			return key{code: keyDelete}, true
		}
	}
	return key{}, false
}
