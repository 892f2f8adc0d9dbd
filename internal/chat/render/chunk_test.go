package render

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// corpus is Markdown as models write it, plus the awkward cases.
func corpus() []string {
	return []string{
		"# Plan\n\nI'll **update** the `config` loader and *then* run the tests:\n\n" +
			"1. Read `internal/config/load.go`\n2. Fix the _snake_case_ bug in parse_value\n" +
			"   - keep a*b and 2 * 3 literal\n   - see [the docs](https://example.com/a_(b)?q=1)\n\n" +
			"> Note: this is **important**\n> - quoted item\n\n```go\nfunc main() {\n\tfmt.Println(\"**not bold**\")\n}\n```\n\n" +
			"---\n\nDone. 日本語 **太字** と `コード`.\n",
		"````md\n```go\nx\n```\n````\ntext after\n",
		"~~~\ncode ``` inside\n~~~~\n",
		"***a*** **b *c* d** _e_ __f__ `g` ``h`i`` [j](k) ![l](m) [n] [o](p\n",
		"- [ ] todo\n- [x] done\n* star item\n+ plus item\n10. ten\n11) eleven\n",
		"#not heading\n####### seven\n# \n#\n- \n-\n--\n--- \n* * *\n___\n__init__\n",
		"unterminated **bold\nunterminated `code\nunterminated [link\nunterminated [x](url\n",
		"tabs\tand\r\nCRLF\r\n\tindented\n    code-ish\n",
		"emoji 😀 and invalid \xff\xfe bytes, split rune é\n",
		"no trailing newline *italic*",
		"",
	}
}

// chunkings returns ways of cutting s: at every single position, byte by
// byte, and a few random cuttings.
func chunkings(s string, rng *rand.Rand) [][]string {
	var out [][]string
	for i := 0; i <= len(s); i++ {
		out = append(out, []string{s[:i], s[i:]})
	}
	bytewise := make([]string, 0, len(s))
	for i := range len(s) {
		bytewise = append(bytewise, s[i:i+1])
	}
	out = append(out, bytewise)
	for range 20 {
		var parts []string
		for rest := s; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(8))
			parts = append(parts, rest[:n])
			rest = rest[n:]
		}
		out = append(out, parts)
	}
	return out
}

func renderChunks(t testing.TB, parts []string, opts Options) string {
	var b bytes.Buffer
	m := NewMarkdown(&b, opts)
	for _, p := range parts {
		if _, err := m.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestChunkingInvariance feeds each document in many chunkings and expects
// the output of rendering it in one piece every time.
func TestChunkingInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, opts := range []Options{{Color: true, Width: 30}, {Color: false}} {
		for _, doc := range corpus() {
			want := renderAll(t, doc, opts)
			for _, parts := range chunkings(doc, rng) {
				if got := renderChunks(t, parts, opts); got != want {
					t.Fatalf("color=%v: chunks %q\nrendered %q\none-shot %q", opts.Color, parts, tags(got), tags(want))
				}
			}
		}
	}
}

// FuzzMarkdown checks that rendering never panics, that plain mode is the
// identity, and that a two-piece split renders like the whole.
func FuzzMarkdown(f *testing.F) {
	for _, doc := range corpus() {
		f.Add([]byte(doc), uint(len(doc)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint) {
		in := string(data)
		if got := renderAll(t, in, Options{}); got != in {
			t.Fatalf("plain render changed %q into %q", in, got)
		}
		i := int(cut % uint(len(in)+1))
		opts := Options{Color: true, Width: 24}
		whole := renderAll(t, in, opts)
		if split := renderChunks(t, []string{in[:i], in[i:]}, opts); split != whole {
			t.Fatalf("split at %d of %q: %q, whole: %q", i, in, tags(split), tags(whole))
		}
	})
}
