package termwidth

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestVisibleExamples(t *testing.T) {
	for in, want := range map[string]string{
		"ls -la":                "ls -la",
		"echo hi\x1b[2Jthere":   `echo hi\x1b[2Jthere`,
		"rm -rf /\rls":          `rm -rf /\rls`,
		"a\tb\nc":               "a\tb\nc",
		`tab \\t`:               `tab \\t`,
		"cat \u202Etxt.exe":     "cat <U+202E>txt.exe",
		"zero\u200Bwidth\uFEFF": "zero<U+200B>width<U+FEFF>",
		"c1\u009b31m":           "c1<U+009B>31m",
		"bad\xffbyte":           `bad\xffbyte`,
		`grep 'a\|b' \n`:        `grep 'a\|b' \n`,
		`literal \x1b`:          `literal \\x1b`,
		"literal <U+202E> here": `literal \<U+202E> here`,
		`two \\ and \` + "\x1b": `two \\ and \\\x1b`,
	} {
		if got := Visible(in); got != want {
			t.Errorf("Visible(%q) = %q, want %q", in, got, want)
		}
	}
}

// unvisible inverts Visible; the tests use it to prove that no two inputs
// share a display.
func unvisible(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		m := 0
		for i+m < len(s) && s[i+m] == '\\' {
			m++
		}
		if m > 0 {
			i += m
			if i >= len(s) || !strings.ContainsRune("xr<", rune(s[i])) {
				b.WriteString(strings.Repeat(`\`, m))
				continue
			}
			b.WriteString(strings.Repeat(`\`, m/2))
			if m%2 == 0 {
				if s[i] != '<' {
					b.WriteByte(s[i])
					i++
				}
				continue
			}
			switch s[i] {
			case 'r':
				b.WriteByte('\r')
			case '<':
				b.WriteByte('<')
			case 'x':
				v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
				b.WriteByte(byte(v))
				i += 2
			}
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "<U+") {
			end := strings.IndexByte(s[i:], '>')
			v, _ := strconv.ParseUint(s[i+3:i+end], 16, 32)
			b.WriteRune(rune(v))
			i += end + 1
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func checkVisible(t *testing.T, in string) {
	t.Helper()
	out := Visible(in)
	if !utf8.ValidString(out) {
		t.Fatalf("Visible(%q) = %q is not UTF-8", in, out)
	}
	for _, r := range out {
		if r != '\n' && r != '\t' && (hidden(r) || IsBidiControl(r)) {
			t.Fatalf("Visible(%q) = %q holds %U", in, out, r)
		}
	}
	if back := unvisible(out); back != in {
		t.Fatalf("Visible(%q) = %q reads back as %q", in, out, back)
	}
}

// TestVisibleProperty checks random strings built from the characters that
// matter: each display is clean and reads back as its input, so distinct
// inputs have distinct displays.
func TestVisibleProperty(t *testing.T) {
	alphabet := []string{"a", " ", "\\", "x", "1", "b", "r", "t", "<", "U", "+", ">", "\n", "\r", "\t",
		"\x1b", "\x00", "\x7f", "\u0085", "\u009b", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff",
		"\u061c", "\u2028", "\U000E0041", "\u3164", "\xff", "\xc3", "é", "日", "\ufffd"}
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		var b strings.Builder
		for range rng.Intn(12) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		checkVisible(t, b.String())
	}
}

func FuzzVisible(f *testing.F) {
	for _, s := range []string{"", "\\x1b", "\x1b]52;c;aGk=\x07", "<U+202E>", "\\\\<U+", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(checkVisible)
}
