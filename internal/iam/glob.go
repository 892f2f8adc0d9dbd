package iam

import (
	"strings"
	"unicode/utf8"
)

// IAM has three wildcard dialects (governance.md §1.5):
//
//   - globString (Action, StringLike): '*' is any run, '?' one character,
//     anywhere.
//   - globResource (Resource, NotResource): wildcards stay within one
//     colon-separated ARN segment, except in the resource part (after the
//     fifth colon, which may itself contain colons) and except a '*' that
//     ends a segment, which may run past colons ("arn:aws:s3:*").
//   - globArn (ArnLike, ArnEquals): like globResource but strictly per
//     segment: a trailing '*' does not cross a colon.
type globMode uint8

const (
	globString globMode = iota
	globResource
	globArn
)

type tokKind uint8

const (
	tokLit  tokKind = iota // the literal text lit
	tokOne                 // '?': one character
	tokMany                // '*': any run of characters
)

// tok is one element of a compiled pattern. A wildcard with cross false
// does not match ':'.
type tok struct {
	kind  tokKind
	cross bool
	lit   string
}

// glob is a compiled wildcard pattern.
type glob []tok

// compileGlob turns resolved pieces into a pattern; literal pieces (from
// variables and escapes) never contain wildcards.
func compileGlob(pieces []piece, mode globMode) glob {
	var g glob
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			g = append(g, tok{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	seg := 0 // ARN segment of the current character
	for pi, p := range pieces {
		if p.literal {
			lit.WriteString(p.text)
			seg += strings.Count(p.text, ":")
			continue
		}
		for i := 0; i < len(p.text); i++ {
			c := p.text[i]
			switch c {
			case '*', '?':
				flush()
				t := tok{kind: tokOne, cross: mode == globString || seg >= 5}
				if c == '*' {
					t.kind = tokMany
					if mode == globResource && !t.cross {
						t.cross = endsSegment(pieces, pi, i+1)
					}
				}
				// Adjacent stars are one star; collapsing keeps the matcher's
				// work proportional to the pattern's meaning.
				if t.kind == tokMany && len(g) > 0 && g[len(g)-1].kind == tokMany && g[len(g)-1].cross == t.cross {
					continue
				}
				g = append(g, t)
			case ':':
				seg++
				lit.WriteByte(c)
			default:
				lit.WriteByte(c)
			}
		}
	}
	flush()
	return g
}

// endsSegment reports whether the pattern text at pieces[pi].text[i:] is
// the end of an ARN segment: the end of the pattern or a ':'.
func endsSegment(pieces []piece, pi, i int) bool {
	for ; pi < len(pieces); pi, i = pi+1, 0 {
		if i < len(pieces[pi].text) {
			return pieces[pi].text[i] == ':'
		}
	}
	return true
}

// compileText compiles a pattern with no variables.
func compileText(s string, mode globMode) glob {
	return compileGlob([]piece{{text: s}}, mode)
}

// match reports whether the whole of s matches the pattern.
func (g glob) match(s string) bool {
	switch {
	case len(g) == 0:
		return s == ""
	case len(g) == 1 && g[0].kind == tokLit:
		return s == g[0].lit
	case len(g) == 1 && g[0].kind == tokMany && g[0].cross:
		return true
	}
	// reach[i] says the tokens so far can match s[:i]. Dynamic programming
	// keeps the cost at len(pattern)×len(s) whatever the pattern, where
	// backtracking can go exponential on crafted input.
	var bufA, bufB [160]bool
	n := len(s)
	var cur, next []bool
	if n < len(bufA) {
		cur, next = bufA[:n+1], bufB[:n+1]
	} else {
		cur, next = make([]bool, n+1), make([]bool, n+1)
	}
	cur[0] = true
	for _, t := range g {
		clear(next)
		hit := false
		switch t.kind {
		case tokLit:
			for i := 0; i+len(t.lit) <= n; i++ {
				if cur[i] && s[i:i+len(t.lit)] == t.lit {
					next[i+len(t.lit)], hit = true, true
				}
			}
		case tokOne:
			for i := range n {
				if cur[i] && (t.cross || s[i] != ':') {
					_, size := utf8.DecodeRuneInString(s[i:])
					next[i+size], hit = true, true
				}
			}
		case tokMany:
			run := false
			for i := 0; i <= n; i++ {
				run = run || cur[i]
				if run && (i == n || utf8.RuneStart(s[i])) {
					next[i], hit = true, true
				}
				if i < n && !t.cross && s[i] == ':' {
					run = false
				}
			}
		}
		if !hit {
			return false
		}
		cur, next = next, cur
	}
	return cur[n]
}
