package permission

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
	// (unquoted *, ?, [..], extended globs, brace expansion).
	globWord
	// dynamicWord: the value depends on variables or other commands.
	dynamicWord
)

// wordValue returns the unquoted value of w and its kind. For words that are
// not plain literals the value is source, the word's source text.
func wordValue(w *syntax.Word, source string) (string, wordKind) {
	if w == nil || len(w.Parts) == 0 {
		return source, dynamicWord
	}
	var b strings.Builder
	kind := literalWord
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			v, glob := unescapeLit(p.Value)
			b.WriteString(v)
			if glob {
				kind = max(kind, globWord)
			}
		case *syntax.SglQuoted:
			if !p.Dollar {
				b.WriteString(p.Value)
				continue
			}
			v, err := expand.Literal(nil, &syntax.Word{Parts: []syntax.WordPart{p}})
			if err != nil {
				return source, dynamicWord
			}
			b.WriteString(v)
		case *syntax.DblQuoted:
			for _, inner := range p.Parts {
				if _, ok := inner.(*syntax.Lit); !ok {
					return source, dynamicWord
				}
			}
			v, err := expand.Literal(nil, &syntax.Word{Parts: []syntax.WordPart{p}})
			if err != nil {
				return source, dynamicWord
			}
			b.WriteString(v)
		case *syntax.ExtGlob, *syntax.BraceExp:
			kind = max(kind, globWord)
		default: // ParamExp, CmdSubst, ArithmExp, ProcSubst
			return source, dynamicWord
		}
	}
	if kind == literalWord && hasBraceExpansion(w) {
		kind = globWord
	}
	if kind != literalWord {
		return source, kind
	}
	return b.String(), literalWord
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
