package index

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// identifierFilterName names identifierFilter in bleve's registry; the
// index's mapping refers to it by this name.
const identifierFilterName = "qdev_identifier"

func init() {
	if err := registry.RegisterTokenFilter(identifierFilterName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return identifierFilter{}, nil
	}); err != nil {
		panic(err)
	}
}

// identifierFilter keeps each token and adds the words of an identifier
// after it: parseConfig, ParseConfig and parse_config also give "parse"
// and "config", and HTTPServer "HTTP" and "Server". Digits stay with their
// letters (utf8, sha256), so a search for such a name stays precise.
type identifierFilter struct{}

func (identifierFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(input))
	for _, tok := range input {
		out = append(out, tok)
		parts := splitIdentifier(tok.Term)
		if len(parts) < 2 {
			continue
		}
		for _, p := range parts {
			out = append(out, &analysis.Token{Term: p, Start: tok.Start, End: tok.End, Position: tok.Position, Type: tok.Type})
		}
	}
	return out
}

// splitIdentifier returns the words of term: split at underscores, at a
// lower-case letter or digit followed by an upper-case one, and before the
// last capital of a run followed by a lower-case letter. A term that is
// one word gives one part.
func splitIdentifier(term []byte) [][]byte {
	var parts [][]byte
	start := 0
	var prev rune
	for i := 0; i < len(term); {
		r, n := utf8.DecodeRune(term[i:])
		next, _ := utf8.DecodeRune(term[i+n:])
		cut := false
		switch {
		case r == '_':
			if i > start {
				parts = append(parts, term[start:i])
			}
			start = i + n
		case i > start && unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			cut = true
		case i > start && unicode.IsUpper(r) && unicode.IsUpper(prev) && i+n < len(term) && unicode.IsLower(next):
			cut = true
		}
		if cut {
			parts = append(parts, term[start:i])
			start = i
		}
		prev = r
		i += n
	}
	if start < len(term) {
		parts = append(parts, term[start:])
	}
	return parts
}

// tokenizerName names wordTokenizer in bleve's registry.
const tokenizerName = "qdev_words"

func init() {
	if err := registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordTokenizer{}, nil
	}); err != nil {
		panic(err)
	}
}

// wordTokenizer splits text into words: runs of letters, digits, marks and
// underscores, and each Han, Hiragana or Katakana character on its own, as
// Unicode word segmentation does for those scripts. It is several times
// faster than full segmentation on code and prose, which indexing 10,000
// files in well under a minute needs; it differs only in splitting at
// apostrophes and dots ("don't", "3.14").
type wordTokenizer struct{}

// wordByte marks the ASCII bytes that belong to words.
var wordByte = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return t
}()

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	toks := make([]analysis.Token, 0, len(input)/6+1)
	start, numeric := -1, true
	emit := func(from, to int, typ analysis.TokenType) {
		toks = append(toks, analysis.Token{Term: input[from:to:to], Start: from, End: to, Position: len(toks) + 1, Type: typ})
	}
	flush := func(end int) {
		if start >= 0 {
			typ := analysis.AlphaNumeric
			if numeric {
				typ = analysis.Numeric
			}
			emit(start, end, typ)
			start = -1
		}
	}
	for i := 0; i < len(input); {
		c := input[i]
		if c < utf8.RuneSelf {
			if wordByte[c] {
				if start < 0 {
					start, numeric = i, true
				}
				numeric = numeric && c >= '0' && c <= '9'
			} else {
				flush(i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(input[i:])
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			flush(i)
			emit(i, i+n, analysis.Ideographic)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if start < 0 {
				start, numeric = i, true
			}
			numeric = numeric && unicode.IsDigit(r)
		default:
			flush(i)
		}
		i += n
	}
	flush(len(input))
	out := make(analysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}
