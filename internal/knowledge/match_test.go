package knowledge

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestGitignoreRules(t *testing.T) {
	top := parseIgnore([]byte("# comment\n\n*.log\n!keep.log\nbuild/\n/only-top.txt\ndocs/**/draft.md\nvendor/**\n\\#hash\nspace\\ \ntrailing   \nbad[\nlit{a,b}\n"), "")
	sub := parseIgnore([]byte("local.txt\n!important.log\n"), "sub")
	rules := append(ignoreList(top), sub...)
	for _, c := range []struct {
		path  string
		dir   bool
		want  bool
		label string
	}{
		{"a.log", false, true, "glob at top"},
		{"x/y/a.log", false, true, "unanchored glob at any depth"},
		{"keep.log", false, false, "negation"},
		{"build", true, true, "dir-only on a folder"},
		{"build", false, false, "dir-only on a file"},
		{"x/build", true, true, "unanchored dir at depth"},
		{"only-top.txt", false, true, "anchored"},
		{"x/only-top.txt", false, false, "anchored not at depth"},
		{"docs/draft.md", false, true, "** matches no folder"},
		{"docs/a/b/draft.md", false, true, "** matches folders"},
		{"vendor", true, false, "dir/** leaves the folder itself"},
		{"vendor/x.go", false, true, "dir/** takes what is inside"},
		{"#hash", false, true, "escaped #"},
		{"space ", false, true, "escaped trailing space"},
		{"trailing", false, true, "trailing spaces trimmed"},
		{"lit{a,b}", false, true, "braces are literal"},
		{"lita", false, false, "braces are not alternatives"},
		{"sub/local.txt", false, true, "nested file's rule"},
		{"local.txt", false, false, "nested rule stays below its folder"},
		{"sub/important.log", false, false, "deeper negation wins"},
		{"other/important.log", false, true, "negation only below its folder"},
	} {
		if got := rules.ignored(c.path, c.dir); got != c.want {
			t.Errorf("%s: ignored(%q) = %v, want %v", c.label, c.path, got, c.want)
		}
	}
}

func FuzzGitignore(f *testing.F) {
	f.Add([]byte("*.log\n!keep.log\nbuild/\n/a/**/b\n"), "a/x/b")
	f.Add([]byte("\\!x\n[\n{\n\\"), "{")
	f.Fuzz(func(t *testing.T, data []byte, p string) {
		rules := ignoreList(parseIgnore(data, "base"))
		_ = rules.ignored("base/"+p, false)
		_ = rules.ignored(p, true)
	})
}

func TestPatterns(t *testing.T) {
	p, err := newPatterns("/r", []string{"*.rs", "docs/**/*.md", "/r/abs/*.txt"}, []string{"target/**", "node_modules"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"main.rs":             true,
		"src/lib/mod.rs":      true,
		"main.py":             false,
		"docs/a/b.md":         true,
		"x/docs/b.md":         true, // a tail of the path matches
		"b.md":                false,
		"abs/n.txt":           true,
		"target/debug/x.rs":   false,
		"sub/target/x.rs":     false,
		"node_modules/i.rs":   true, // the folder pattern excludes the folder, see excludesDir
		"abs/deeper/n.txt.rs": true,
	} {
		if got := p.includes(path); got != want {
			t.Errorf("includes(%q) = %v, want %v", path, got, want)
		}
	}
	for dir, want := range map[string]bool{"target": true, "a/target": true, "node_modules": true, "src": false} {
		if got := p.excludesDir(dir); got != want {
			t.Errorf("excludesDir(%q) = %v, want %v", dir, got, want)
		}
	}
	if _, err := newPatterns("/r", nil, []string{"ok", "[z"}); err == nil || !strings.Contains(err.Error(), `invalid exclude pattern "[z"`) {
		t.Fatalf("bad pattern: %v", err)
	}
}

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
