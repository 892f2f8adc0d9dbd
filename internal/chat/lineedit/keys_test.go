package lineedit

import (
	"io"
	"testing"
	"unicode/utf8"
)

func TestDecodeKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want key
		n    int
	}{
		{"ascii", "ab", key{code: keyRune, r: 'a'}, 1},
		{"utf8", "日x", key{code: keyRune, r: '日'}, 3},
		{"incomplete utf8", "\xe6\x97", key{}, 0},
		{"invalid utf8", "\xffa", key{code: keyUnknown}, 1},
		{"enter", "\r", key{code: keyEnter}, 1},
		{"ctrl-j", "\n", key{code: keyNewline}, 1},
		{"ctrl-a", "\x01", key{code: keyCtrl, r: 'a'}, 1},
		{"ctrl-r", "\x12", key{code: keyCtrl, r: 'r'}, 1},
		{"backspace", "\x7f", key{code: keyBackspace}, 1},
		{"ctrl-h", "\x08", key{code: keyBackspace}, 1},
		{"tab", "\t", key{code: keyRune, r: '\t'}, 1},
		{"lone esc waits", "\x1b", key{}, 0},
		{"alt-enter", "\x1b\r", key{code: keyNewline}, 2},
		{"alt-b", "\x1bb", key{code: keyWordLeft}, 2},
		{"alt-f", "\x1bf", key{code: keyWordRight}, 2},
		{"alt-d", "\x1bd", key{code: keyAltD}, 2},
		{"alt-backspace", "\x1b\x7f", key{code: keyAltBackspace}, 2},
		{"esc then ctrl-c", "\x1b\x03", key{code: keyEscape}, 1},
		{"up", "\x1b[A", key{code: keyUp}, 3},
		{"left", "\x1b[D", key{code: keyLeft}, 3},
		{"ss3 right", "\x1bOC", key{code: keyRight}, 3},
		{"ss3 home", "\x1bOH", key{code: keyHome}, 3},
		{"ctrl-right", "\x1b[1;5C", key{code: keyWordRight}, 6},
		{"alt-left", "\x1b[1;3D", key{code: keyWordLeft}, 6},
		{"home tilde", "\x1b[1~", key{code: keyHome}, 4},
		{"end tilde", "\x1b[4~", key{code: keyEnd}, 4},
		{"end F", "\x1b[F", key{code: keyEnd}, 3},
		{"delete", "\x1b[3~x", key{code: keyDelete}, 4},
		{"incomplete csi", "\x1b[1;", key{}, 0},
		{"unknown csi", "\x1b[15~", key{code: keyUnknown}, 5},
		{"broken csi", "\x1b[1\x01", key{code: keyUnknown}, 3},
		{"paste", "\x1b[200~a\r\x1bb\x1b[201~x", key{code: keyPaste, text: "a\r\x1bb"}, 16},
		{"incomplete paste", "\x1b[200~abc\x1b[20", key{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, n := decodeKey([]byte(tc.in))
			if got != tc.want || n != tc.n {
				t.Errorf("decodeKey(%q) = %+v,%d, want %+v,%d", tc.in, got, n, tc.want, tc.n)
			}
		})
	}
}

// FuzzDecodeKey feeds arbitrary bytes through the decoder and the whole
// editing state machine: nothing may panic, the decoder must always make
// progress on complete input, and the cursor must stay inside the buffer.
func FuzzDecodeKey(f *testing.F) {
	for _, seed := range []string{
		"hello\r", "\x1b[200~x\ny\x1b[201~", "\x1b[1;5C\x1bb\x1bf", "日本\x7f\x1b[D",
		"a\nb\x1b[A\x1b[A\x1b[B\x12a\x12\x07", "\x15\x0b\x17\x19\x04\x0c", "\x1b[", "\xe6",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := New(nil, io.Discard, Options{
			History: []string{"one", "two\nlines", "日本"},
			Width:   func() int { return 7 },
		})
		s := &session{e: e, nav: newNavigator(e.history), prompt: "> "}
		rest := data
		for len(rest) > 0 {
			k, n := decodeKey(rest)
			if n < 0 || n > len(rest) {
				t.Fatalf("decodeKey(%q) consumed %d", rest, n)
			}
			if n == 0 {
				if rest[0] != 0x1b && utf8.FullRune(rest) {
					t.Fatalf("decodeKey(%q) waits for more on complete input", rest)
				}
				break
			}
			rest = rest[n:]
			o := s.handle(k)
			if s.buf.pos < 0 || s.buf.pos > len(s.buf.r) {
				t.Fatalf("cursor %d outside buffer of %d runes", s.buf.pos, len(s.buf.r))
			}
			if o.done {
				s = &session{e: e, nav: newNavigator(e.history), prompt: "> "}
			}
		}
	})
}
