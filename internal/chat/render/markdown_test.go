package render

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var sgrRE = regexp.MustCompile("\x1b\\[([0-9;]*)m")

// tags makes rendered output readable: "\x1b[1;35m" becomes "{1;35}" and the
// reset "\x1b[0m" becomes "{/}".
func tags(s string) string {
	return sgrRE.ReplaceAllStringFunc(s, func(x string) string {
		p := sgrRE.FindStringSubmatch(x)[1]
		if p == "0" {
			return "{/}"
		}
		return "{" + p + "}"
	})
}

// visible strips the styling, leaving the text a user reads.
func visible(s string) string { return sgrRE.ReplaceAllString(s, "") }

func renderAll(t testing.TB, in string, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	m := NewMarkdown(&b, opts)
	if n, err := m.Write([]byte(in)); err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownColor(t *testing.T) {
	rule := strings.Repeat("─", 20)
	tests := []struct{ name, in, want string }{
		{"italic", "hello *world*\n", "hello {3}world{/}\n"},
		{"underscore italic", "an _em_ word\n", "an {3}em{/} word\n"},
		{"literal stars and snake_case", "a*b, 2 * 3, snake_case_name, *.go, x**2\n", "a*b, 2 * 3, snake_case_name, *.go, x**2\n"},
		{"bold", "**bold** and __also__\n", "{1}bold{/} and {1}also{/}\n"},
		{"bold italic", "***both*** end\n", "{1;3}both{/} end\n"},
		{"unclosed emphasis ends with the line", "*open\nplain\n", "{3}open{/}\nplain\n"},
		{"inline code", "run `go test` now\n", "run {32}go test{/} now\n"},
		{"code keeps markers", "`a*b*_c_`\n", "{32}a*b*_c_{/}\n"},
		{"double backtick code", "``a`b``\n", "{32}a`b{/}\n"},
		{"lone backtick", "it's a `\n", "it's a `\n"},
		{"heading", "# Title\n## Sub *it*\n", "{1;35}# Title{/}\n{1;35}## Sub {/}{1;3;35}it{/}\n"},
		{"heading with code", "## Use `go`\n", "{1;35}## Use {/}{1;32}go{/}\n"},
		{"not a heading", "#hashtag and ####### seven\n", "#hashtag and ####### seven\n"},
		{"bullets", "- one\n* two\n  + three\n", "{33}•{/} one\n{33}•{/} two\n  {33}•{/} three\n"},
		{"ordered", "1. first\n10) tenth\n2024 was\n", "{33}1.{/} first\n{33}10){/} tenth\n2024 was\n"},
		{"task list", "- [ ] task [x]\n", "{33}•{/} [ ] task [x]\n"},
		{"quote", "> said\n> - item\n", "{90}│{/} said\n{90}│{/} {33}•{/} item\n"},
		{"rules", "---\n* * *\n--flag\n", "{2}" + rule + "{/}\n{33}•{/} * *\n--flag\n"},
		{"underscore rule", "___\n", "{2}" + rule + "{/}\n"},
		{"fence", "```go\nx := 1 // *no* `style`\n```\nafter\n",
			"{2}── go ──────────────{/}\n{36}x := 1 // *no* `style`{/}\n{2}" + rule + "{/}\nafter\n"},
		{"tilde fence", "~~~\n# not a heading\n~~~\n", "{2}" + rule + "{/}\n{36}# not a heading{/}\n{2}" + rule + "{/}\n"},
		{"longer fence", "````\n```py\n````\n", "{2}" + rule + "{/}\n{36}```py{/}\n{2}" + rule + "{/}\n"},
		{"indented fence", "  ```\n  x\n\n  ```\n", "  {2}" + rule + "{/}\n  {36}x{/}\n\n  {2}" + rule + "{/}\n"},
		{"unclosed fence at end", "```\ncode", "{2}" + rule + "{/}\n{36}code{/}"},
		{"backticks in info are not a fence", "```a`b```\n", "{32}a`b{/}\n"},
		{"link", "see [docs](https://x.y/a_(b)) now\n", "see {34}docs{/} ({4;34}https://x.y/a_(b){/}) now\n"},
		{"link with styled text", "[a **b**](u)\n", "{34}a {/}{1;34}b{/} ({4;34}u{/})\n"},
		{"brackets without link", "arr[i] and [x] y\n", "arr[i] and [x] y\n"},
		{"unclosed bracket", "text [open\n", "text [open\n"},
		{"nested bracket", "[a [b](c)\n", "[a {34}b{/} ({4;34}c{/})\n"},
		{"invalid utf8", "a\xffb *\xfe* *é*\n", "a\xffb *\xfe* {3}é{/}\n"},
		{"no newline at end", "**bo", "{1}bo{/}"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tags(renderAll(t, tc.in, Options{Color: true, Width: 20}))
			if got != tc.want {
				t.Errorf("render(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRuleWidth(t *testing.T) {
	for _, tc := range []struct{ width, want int }{{0, 40}, {10, 10}, {200, 80}} {
		got := visible(renderAll(t, "---", Options{Color: true, Width: tc.width}))
		if n := len([]rune(got)); n != tc.want {
			t.Errorf("width %d: rule of %d columns, want %d", tc.width, n, tc.want)
		}
	}
}

// TestStreamsAsItArrives checks that text is shown before its line ends:
// after each piece, the visible output is the input so far minus only the
// markers still undecided.
func TestStreamsAsItArrives(t *testing.T) {
	steps := []struct{ in, visible string }{
		{"The quick ", "The quick "},
		{"**bro", "The quick bro"},
		{"wn*", "The quick brown"},
		{"* fox `go", "The quick brown fox go"},
		{"` and [a link", "The quick brown fox go and "},
		{"](http://exa", "The quick brown fox go and a link (http://exa"},
		{"mple) x\n- it", "The quick brown fox go and a link (http://example) x\n• it"},
		{"em\n```go\nfunc", "The quick brown fox go and a link (http://example) x\n• item\n── go ─────\nfunc"},
	}
	var b bytes.Buffer
	m := NewMarkdown(&b, Options{Color: true, Width: 11})
	for _, st := range steps {
		if _, err := m.Write([]byte(st.in)); err != nil {
			t.Fatal(err)
		}
		if got := visible(b.String()); got != st.visible {
			t.Fatalf("after writing %q the screen shows\n%q\nwant\n%q", st.in, got, st.visible)
		}
	}
}

func TestPlainIsIdentity(t *testing.T) {
	for _, in := range append(corpus(), "\x1b[31mraw\xff\xfe") {
		if got := renderAll(t, in, Options{Color: false}); got != in {
			t.Errorf("plain render changed %q into %q", in, got)
		}
	}
}

// TestFlushResets checks that a message's state does not leak into the next.
func TestFlushResets(t *testing.T) {
	var b bytes.Buffer
	m := NewMarkdown(&b, Options{Color: true})
	_, _ = m.Write([]byte("```\nstill code\n**bold"))
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	_, _ = m.Write([]byte("plain *x*\n"))
	_ = m.Flush()
	if got := tags(b.String()); got != "plain {3}x{/}\n" {
		t.Errorf("second message rendered %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestWriteError(t *testing.T) {
	for _, color := range []bool{true, false} {
		m := NewMarkdown(failWriter{}, Options{Color: color})
		if _, err := m.Write([]byte("hi\n")); err == nil {
			t.Errorf("color=%v: Write to a failing writer succeeded", color)
		}
	}
}

func TestMarkdownTable(t *testing.T) {
	in := "Sizes:\n| Name | Size |\n|:-----|-----:|\n| `a.go` | 1 |\n| **big** | 1024 |\n\nafter\n"
	want := "Sizes:\n" +
		"Name │ Size\n" +
		"─────┼─────\n" +
		"a.go │    1\n" +
		"big  │ 1024\n" +
		"\nafter\n"
	got := renderAll(t, in, Options{Color: true, Width: 80})
	if visible(got) != want {
		t.Errorf("table rendered as\n%s\nwant\n%s", visible(got), want)
	}
	// However the text is split into writes, the table renders the same.
	for cut := 1; cut < len(in); cut++ {
		var b bytes.Buffer
		m := NewMarkdown(&b, Options{Color: true, Width: 80})
		m.Write([]byte(in[:cut]))
		m.Write([]byte(in[cut:]))
		m.Flush()
		if b.String() != got {
			t.Fatalf("split at %d: %q, want %q", cut, b.String(), got)
		}
	}
	// Not a table (no delimiter row), or too wide: the lines as written.
	for _, tc := range []struct {
		in    string
		width int
	}{{"| just | pipes |\nnext\n", 80}, {"| " + strings.Repeat("x", 50) + " | " + strings.Repeat("y", 50) + " |\n|---|---|\n", 60}} {
		if got := visible(renderAll(t, tc.in, Options{Color: true, Width: tc.width})); got != tc.in {
			t.Errorf("%q rendered as %q", tc.in, got)
		}
	}
	// A table at the very end of the answer, without a final newline.
	if got := visible(renderAll(t, "| a |\n|---|\n| b |", Options{Color: true})); got != "a\n─\nb\n" {
		t.Errorf("final table: %q", got)
	}
}
