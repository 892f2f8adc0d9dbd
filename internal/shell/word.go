package shell

import (
	"slices"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// wordKind says how much of a shell word is known before bash runs it.
type wordKind int

const (
	// literalWord: the value is known ('a', "a", a\ b, $'\x61', ~/a).
	literalWord wordKind = iota
	// globWord: a literal that bash may expand into other or more words
	// (unquoted *, ?, [..], extended globs).
	globWord
	// dynamicWord: the value depends on variables or other commands.
	dynamicWord
)

// maxBraceWords bounds what one brace expansion may yield; "{a,b}{c,d}…"
// grows exponentially, and a longer result is simply not resolved.
const maxBraceWords = 64

// wordValue returns the unquoted value of w and its kind. For words that are
// not plain literals the value is source, the word's source text. Brace
// expansion is not looked at; see words.
func wordValue(w *syntax.Word, source string) (string, wordKind) {
	v, glob, ok := wordText(w)
	switch {
	case !ok:
		return source, dynamicWord
	case glob:
		return source, globWord
	}
	return v, literalWord
}

// wordText returns the value of w with quotes and escapes removed, whether
// it holds unquoted glob characters, and false when it holds expansions.
func wordText(w *syntax.Word) (value string, glob, ok bool) {
	if w == nil || len(w.Parts) == 0 {
		return "", false, false
	}
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			v, g := unescapeLit(p.Value)
			b.WriteString(v)
			glob = glob || g
		case *syntax.SglQuoted:
			if !p.Dollar {
				b.WriteString(p.Value)
				continue
			}
			// $'…' is a literal once its escapes are resolved ($'\x72m' is rm).
			v, err := expand.Literal(nil, &syntax.Word{Parts: []syntax.WordPart{p}})
			if err != nil {
				return "", false, false
			}
			b.WriteString(v)
		case *syntax.DblQuoted:
			if p.Dollar { // $"…" is translated at run time
				return "", false, false
			}
			for _, inner := range p.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return "", false, false
				}
			}
			v, err := expand.Literal(nil, &syntax.Word{Parts: []syntax.WordPart{p}})
			if err != nil {
				return "", false, false
			}
			b.WriteString(v)
		case *syntax.ExtGlob, *syntax.BraceExp:
			glob = true
		default: // ParamExp, CmdSubst, ArithmExp, ProcSubst
			return "", false, false
		}
	}
	return b.String(), glob, true
}

// words returns what w becomes after brace expansion: one value per
// resulting word, each with its kind. "{rm,-rf,/}" is three literal words;
// a word whose expansion is too large or not literal stays one glob word.
func words(w *syntax.Word, source string) ([]string, []wordKind) {
	if !hasBraceExpansion(w) {
		v, k := wordValue(w, source)
		return []string{v}, []wordKind{k}
	}
	cp := &syntax.Word{Parts: slices.Clone(w.Parts)}
	syntax.SplitBraces(cp)
	if braceCount(cp) > maxBraceWords {
		return []string{source}, []wordKind{globWord}
	}
	var vals []string
	var kinds []wordKind
	for e, err := range expand.BracesSeq(nil, cp) {
		if err != nil { // more words than bash would make
			return []string{source}, []wordKind{globWord}
		}
		v, k := wordValue(e, source)
		if k != literalWord {
			return []string{source}, []wordKind{max(k, globWord)}
		}
		vals = append(vals, v)
		kinds = append(kinds, k)
	}
	return vals, kinds
}

// braceCount is an upper bound of the words a split word expands into.
func braceCount(w *syntax.Word) int {
	n := 1
	for _, p := range w.Parts {
		if b, ok := p.(*syntax.BraceExp); ok {
			m := 0
			if b.Sequence {
				m = maxBraceWords + 1 // sequences may be long: do not resolve
			}
			for _, e := range b.Elems {
				m += braceCount(e)
			}
			n *= max(m, 1)
			if n > maxBraceWords {
				return n
			}
		}
	}
	return n
}

// unescapeLit removes the backslashes of an unquoted literal and reports
// whether it holds an unescaped glob character. A '[' only globs when a ']'
// follows it, so the test command "[" stays a literal.
func unescapeLit(s string) (string, bool) {
	var b strings.Builder
	glob := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' { // a line continuation disappears
				b.WriteByte(s[i])
			}
		case c == '*' || c == '?':
			glob = true
			b.WriteByte(c)
		case c == '[' && strings.IndexByte(s[i+1:], ']') >= 0:
			glob = true
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), glob
}

// hasBraceExpansion reports whether bash would brace-expand w. SplitBraces
// rewrites the word it is given, so it gets a copy.
func hasBraceExpansion(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	cp := &syntax.Word{Parts: slices.Clone(w.Parts)}
	if !syntax.SplitBraces(cp) {
		return false
	}
	// "{}" and "{x}" come back as literal braces, not expansions.
	return slices.ContainsFunc(cp.Parts, func(p syntax.WordPart) bool {
		_, ok := p.(*syntax.BraceExp)
		return ok
	})
}
