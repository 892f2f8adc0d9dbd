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
	tokVar                 // literal text: the value of policy variable number v
	tokOne                 // '?': one character
	tokMany                // '*': any run of characters
)

// tok is one element of a compiled pattern. A wildcard with cross false
// does not match ':'.
type tok struct {
	kind  tokKind
	cross bool
	lit   string
	v     int
}

// shape picks the matcher: most real patterns are a literal, a prefix
// ("s3:Get*"), a suffix or an infix, and those need no general matcher.
type shape uint8

const (
	shapeGreedy shape = iota // every wildcard may cross ':'
	shapeDP                  // some wildcard stops at ':'
	shapeEmpty               // ""
	shapeAny                 // "*"
	shapeExact               // lit
	shapePrefix              // lit*
	shapeSuffix              // *lit
	shapeInfix               // *lit*
)

// glob is a compiled wildcard pattern. Patterns with policy variables
// (tokVar) are matched with the variables' values supplied by the caller.
type glob struct {
	toks  []tok
	shape shape
	lit   string // the literal of the exact, prefix, suffix and infix shapes
	nvars int    // number of tokVar tokens
}

// compileGlob turns pieces into a pattern; literal pieces (from variables
// and escapes) never contain wildcards. A variable piece becomes a tokVar
// whose text is supplied at match time, so a pattern with variables is
// compiled once, at parse time, rather than on every request. (Colons in
// a variable's value are not counted as ARN segments; callers use
// placeholders only where that cannot matter: see compileResource and
// compileValue.)
func compileGlob(pieces []piece, mode globMode) glob {
	var g glob
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			g.toks = append(g.toks, tok{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	seg := 0 // ARN segment of the current character
	for pi, p := range pieces {
		if p.literal {
			if p.variable {
				flush()
				g.toks = append(g.toks, tok{kind: tokVar, v: g.nvars})
				g.nvars++
				continue
			}
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
				if t.kind == tokMany && len(g.toks) > 0 && g.toks[len(g.toks)-1].kind == tokMany && g.toks[len(g.toks)-1].cross == t.cross {
					continue
				}
				g.toks = append(g.toks, t)
			case ':':
				seg++
				lit.WriteByte(c)
			default:
				lit.WriteByte(c)
			}
		}
	}
	flush()
	g.shape, g.lit = classify(g.toks)
	return g
}

// classify picks the cheapest matcher that gives the same answers as the
// general one.
func classify(toks []tok) (shape, string) {
	star := func(i int) bool { return toks[i].kind == tokMany && toks[i].cross }
	lit := func(i int) bool { return toks[i].kind == tokLit }
	switch n := len(toks); {
	case n == 0:
		return shapeEmpty, ""
	case n == 1 && star(0):
		return shapeAny, ""
	case n == 1 && lit(0):
		return shapeExact, toks[0].lit
	case n == 2 && lit(0) && star(1):
		return shapePrefix, toks[0].lit
	case n == 2 && star(0) && lit(1):
		return shapeSuffix, toks[1].lit
	case n == 3 && star(0) && lit(1) && star(2):
		return shapeInfix, toks[1].lit
	}
	for _, t := range toks {
		if (t.kind == tokOne || t.kind == tokMany) && !t.cross {
			return shapeDP, ""
		}
	}
	return shapeGreedy, ""
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

// match reports whether the whole of s matches a pattern without
// variables.
func (g glob) match(s string) bool { return g.matchWith(s, false, nil) }

// matchWith matches s, with vals holding the values of the pattern's
// variables in order. With fold set, s's ASCII letters are folded to lower
// case before comparison: for an ASCII s and a lower-case pattern (action
// matching) that is matching strings.ToLower(s), without the allocation.
func (g *glob) matchWith(s string, fold bool, vals []string) bool {
	switch g.shape {
	case shapeEmpty:
		return s == ""
	case shapeAny:
		return true
	case shapeExact:
		return len(s) == len(g.lit) && equalLit(s, g.lit, fold)
	case shapePrefix:
		return len(s) >= len(g.lit) && equalLit(s[:len(g.lit)], g.lit, fold)
	case shapeSuffix:
		i := len(s) - len(g.lit)
		// The star may only stop at a character boundary.
		return i >= 0 && utf8.RuneStart(s[i]) && equalLit(s[i:], g.lit, fold)
	case shapeInfix:
		if !fold && utf8.RuneStart(g.lit[0]) {
			return strings.Contains(s, g.lit)
		}
	case shapeDP:
		return matchDP(g.toks, s, fold, vals)
	}
	return matchGreedy(g.toks, s, fold, vals)
}

// equalLit compares s with a pattern literal of the same length.
func equalLit(s, lit string, fold bool) bool {
	if !fold {
		return s == lit
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[i] {
			return false
		}
	}
	return true
}

// litAt reports whether s continues with lit at byte i.
func litAt(s string, i int, lit string, fold bool) bool {
	return len(s)-i >= len(lit) && equalLit(s[i:i+len(lit)], lit, fold)
}

// tokText is the literal text of a tokLit or tokVar token.
func tokText(t *tok, vals []string) string {
	if t.kind == tokVar {
		return vals[t.v]
	}
	return t.lit
}
