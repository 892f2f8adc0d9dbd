package index

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestSplitIdentifier(t *testing.T) {
	for in, want := range map[string][]string{
		"parseConfig":   {"parse", "Config"},
		"HTTPServer":    {"HTTP", "Server"},
		"parse_config":  {"parse", "config"},
		"sha256Sum":     {"sha256", "Sum"},
		"utf8":          {"utf8"},
		"plain":         {"plain"},
		"_leading":      {"leading"},
		"getHTTPClient": {"get", "HTTP", "Client"},
		"ÉtéÀParis":     {"Été", "À", "Paris"},
	} {
		var got []string
		for _, p := range splitIdentifier([]byte(in)) {
			got = append(got, string(p))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("splitIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChunkProperties checks, on random texts, that chunks are whole
// lines in order, hold at most size words, cover every line, and advance.
func TestChunkProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		var lines []string
		for range rng.IntN(60) {
			var words []string
			for range rng.IntN(30) {
				words = append(words, strings.Repeat(string(rune('a'+rng.IntN(26))), 1+rng.IntN(5)))
			}
			lines = append(lines, strings.Join(words, " "))
		}
		text := strings.Join(lines, "\n")
		size := 1 + rng.IntN(40)
		overlap := rng.IntN(size)
		chunks := chunkText(text, size, overlap)
		total := 0
		for _, l := range lines {
			total += countWords(l)
		}
		if total == 0 {
			if len(chunks) != 0 {
				t.Fatalf("round %d: chunks of a text without words: %+v", round, chunks)
			}
			continue
		}
		covered := make([]int, len(lines)+1) // words of each line seen
		prevStart := 0
		for i, c := range chunks {
			if n := countWords(c.text); n > size || n == 0 {
				t.Fatalf("round %d: chunk %d holds %d words, size %d", round, i, n, size)
			}
			if c.start < prevStart || c.start > c.end || c.end > len(lines) {
				t.Fatalf("round %d: chunk %d lines %d-%d after %d", round, i, c.start, c.end, prevStart)
			}
			prevStart = c.start
			for l := c.start; l <= c.end; l++ {
				for _, w := range strings.Fields(lines[l-1]) {
					if strings.Contains(c.text, w) {
						covered[l]++
						break
					}
				}
			}
		}
		// Each chunk starts at a later piece holding a word than the last.
		if len(chunks) > total {
			t.Fatalf("round %d: %d chunks of %d words", round, len(chunks), total)
		}
		for l, line := range lines {
			if countWords(line) > 0 && covered[l+1] == 0 {
				t.Fatalf("round %d: line %d (%q) is in no chunk", round, l+1, line)
			}
		}
	}
}

func TestChunkKeepsLinesAndCutsLongOnes(t *testing.T) {
	text := "one two\n\nthree four five\n" + strings.Repeat("w ", 9) + "\nlast"
	got := chunkText(text, 4, 2)
	want := []chunk{
		{1, 1, "one two"},
		{3, 3, "three four five"},
		{4, 4, "w w w w"},
		{4, 4, "w w w w"},
		{4, 5, "w\nlast"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if isBinary([]byte("text")) || !isBinary([]byte("a\x00b")) {
		t.Fatal("isBinary")
	}
	if c := chunkText("bad \xff byte", 10, 0); len(c) != 1 || c[0].text != "bad \uFFFD byte" {
		t.Fatalf("invalid UTF-8: %+v", c)
	}
}

func TestWordTokenizer(t *testing.T) {
	var got []string
	for _, tok := range (wordTokenizer{}).Tokenize([]byte("func parse_config(x int) // héllo 42 日本語 naïve\u0301")) {
		got = append(got, string(tok.Term))
	}
	want := []string{"func", "parse_config", "x", "int", "héllo", "42", "日", "本", "語", "naïve\u0301"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func FuzzWordTokenizer(f *testing.F) {
	f.Add([]byte("a b_c 日本 \xff x1"))
	f.Fuzz(func(t *testing.T, in []byte) {
		prev := 0
		for _, tok := range (wordTokenizer{}).Tokenize(in) {
			if tok.Start < prev || tok.End <= tok.Start || tok.End > len(in) || string(in[tok.Start:tok.End]) != string(tok.Term) {
				t.Fatalf("bad token %+v of %q", tok, in)
			}
			prev = tok.End
		}
	})
}
