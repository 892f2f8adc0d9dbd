package termwidth

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

func safe(chunks ...string) string {
	var b bytes.Buffer
	w := NewSafeWriter(&b)
	for _, c := range chunks {
		_, _ = w.Write([]byte(c))
	}
	return b.String()
}

func TestSafeWriter(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\n": "plain text\n",
		"\x1b[31mred\x1b[0m \x1b[1;38;2;1;2;3mrgb":      "\x1b[31mred\x1b[0m \x1b[1;38;2;1;2;3mrgb",
		"a\x1b[2Jb\x1b[Hc\x1b[10;10fd\x1b[?1049h":       "abcd",
		"x\x1b]52;c;cm0gLXJmIH4=\x07y":                  "xy",
		"t\x1b]0;owned\x1b\\u":                          "tu",
		"\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\":  "click",
		"d\x1bPq#0;2;0;0;0\x1b\\e":                      "de",
		"k\x1b_apc\x1b\\l\x1b^pm\x1b\\m\x1bXsos\x1b\\n": "klmn",
		"s\x1b7\x1bcs":                                  "ss",
		"10%\r50%\r100%\r\n":                            "10%\n50%\n100%\n",
		"bell\x07 bs\x08 del\x7f":                       `bell\x07 bs\x08 del\x7f`,
		"c1 \u009b2J \u0085":                            "c1 <U+009B>2J <U+0085>",
		"bidi \u202egnp.exe \u2066x\u2069":              "bidi <U+202E>gnp.exe <U+2066>x<U+2069>",
		"bad \xff\xfe":                                  `bad \xff\xfe`,
		"tab\tok é 日本 👨‍👩‍👧":                            "tab\tok é 日本 👨‍👩‍👧",
		"\x1b[31;\nm":                                   "",
	} {
		if got := safe(in); got != want {
			t.Errorf("safe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeWriterAcrossWrites(t *testing.T) {
	if got := safe("a\x1b]52;c;", "Zm9v\x07b\x1b[3", "1mc\xe2\x80", "\xaed\r", "\ne"); got != "ab\x1b[31mc<U+202E>d\ne" {
		t.Errorf("split = %q", got)
	}
	// An unterminated sequence is held, but not without bound.
	if got := safe("a\x1b]0;"+strings.Repeat("x", 2*maxPending), "b"); got != "ab" {
		t.Errorf("endless OSC = %q", got)
	}
}

// checkSafe asserts the SafeWriter's guarantee on the output of in, written
// in one piece and cut at random points: the same output either way, ESC
// only as the start of a complete SGR sequence, no C1 control and no bidi
// control.
func checkSafe(t *testing.T, in []byte, rng *rand.Rand) {
	t.Helper()
	whole := safe(string(in))
	var chunks []string
	for rest := string(in); rest != ""; {
		n := 1 + rng.Intn(len(rest))
		chunks, rest = append(chunks, rest[:n]), rest[n:]
	}
	if split := safe(chunks...); split != whole {
		t.Fatalf("input %q: split output %q differs from %q", in, split, whole)
	}
	for i := 0; i < len(whole); i++ {
		if whole[i] == 0x1b {
			n, complete := Escape(whole[i:])
			if !complete || !isSGR([]byte(whole[i:i+n])) {
				t.Fatalf("input %q: output %q has a non-SGR escape at %d", in, whole, i)
			}
			i += n - 1
		}
	}
	for _, r := range whole {
		if r >= 0x80 && r < 0xa0 || IsBidiControl(r) || r < 0x20 && r != '\n' && r != '\t' && r != 0x1b || r == 0x7f {
			t.Fatalf("input %q: output %q holds %U", in, whole, r)
		}
	}
}

func FuzzSafeWriter(f *testing.F) {
	for _, s := range []string{"\x1b[31mx\x1b[0m", "\x1b]8;;u\x1b\\l", "\x1b[1;2H", "\r\n\r", "\u009b\u202e", "\x1bP\x1b\\", "\x1b[31;\x1b[0m"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkSafe(t, in, rand.New(rand.NewSource(int64(len(in)))))
	})
}
