package iam

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A template is a policy string that may contain policy variables:
// ${key}, ${key, 'default'}, and the escapes ${*} ${?} ${$}. Text outside
// variables keeps its wildcards; text that comes from a variable or an
// escape is literal, so a user named "Bob*" matches only "Bob*".
type template struct {
	raw   string
	parts []tpart // nil when the string has no variables
}

type tpart struct {
	text   string // literal text, or the escaped character
	isVar  bool   // a ${key} reference
	quoted bool   // text came from an escape: never a wildcard
	bad    bool   // a malformed reference: it never resolves
	key    ckey   // a variable's key
	def    string
	hasDef bool
}

// piece is a fragment of a pattern; literal pieces came from a variable or
// an escape and must not be read as wildcards. A variable piece stands for
// a variable's value, supplied at match time.
type piece struct {
	text     string
	literal  bool
	variable bool
}

// parseTemplate splits s into text and variables. With vars false (a
// 2008-10-17 policy, or an element where IAM does not expand variables)
// the whole string is text.
//
// A malformed reference ("${aws:username" or "${}") names no key IAM can
// resolve, so it is treated like a variable whose key is missing: the
// template is still returned, as one reference that never resolves, and
// the error says what is wrong. Callers decide whether that is fatal (in
// a Resource it is) or a finding (in a condition value it is).
func parseTemplate(s string, vars bool) (*template, error) {
	t := &template{raw: s}
	if !vars || !strings.Contains(s, "${") {
		return t, nil
	}
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{text: rest[:i]})
		}
		part, n, err := parseVariable(rest[i:])
		if err != nil {
			t.parts = []tpart{{isVar: true, bad: true}}
			return t, err
		}
		t.parts = append(t.parts, part)
		rest = rest[i+n:]
	}
	if rest != "" {
		t.parts = append(t.parts, tpart{text: rest})
	}
	return t, nil
}

// parseVariable reads one "${…}" at the start of s and returns it with its
// length in bytes.
func parseVariable(s string) (tpart, int, error) {
	i := 2
	for i < len(s) && s[i] != '}' && s[i] != ',' {
		i++
	}
	if i == len(s) {
		return tpart{}, 0, errors.New("unterminated policy variable (missing '}')")
	}
	inner := s[2:i]
	if s[i] == '}' {
		switch inner {
		case "*", "?", "$":
			return tpart{text: inner, quoted: true}, i + 1, nil
		}
	}
	key := strings.TrimSpace(inner)
	if key == "" || strings.ContainsAny(key, " \t'${") {
		return tpart{}, 0, errors.New("malformed policy variable " + strconv.Quote(s[:min(i+1, len(s))]))
	}
	part := tpart{isVar: true, key: newKey(key)}
	if s[i] == '}' {
		return part, i + 1, nil
	}
	// ${key, 'default'}: the default is single-quoted and may itself
	// contain '}' or ',', so find its closing quote before the brace.
	i = skipBlanks(s, i+1)
	if i == len(s) || s[i] != '\'' {
		return tpart{}, 0, errors.New("malformed default in policy variable: want ${key, 'value'}")
	}
	closeQ := strings.IndexByte(s[i+1:], '\'')
	if closeQ < 0 {
		return tpart{}, 0, errors.New("malformed default in policy variable: unterminated quote")
	}
	part.def, part.hasDef = s[i+1:i+1+closeQ], true
	i = skipBlanks(s, i+1+closeQ+1)
	if i == len(s) || s[i] != '}' {
		return tpart{}, 0, errors.New("malformed default in policy variable: want '}' after the quoted value")
	}
	return part, i + 1, nil
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// hasVars reports whether the template needs a request context to resolve.
func (t *template) hasVars() bool { return t.parts != nil }

// pieces returns the template as pattern pieces, each variable a
// placeholder (see compileGlob).
func (t *template) pieces() []piece {
	if t.parts == nil {
		return []piece{{text: t.raw}}
	}
	out := make([]piece, 0, len(t.parts))
	for _, p := range t.parts {
		out = append(out, piece{text: p.text, literal: p.quoted || p.isVar, variable: p.isVar})
	}
	return out
}

// value returns a variable's value: its single context value, else its
// default. It fails when there is neither: IAM then treats the policy
// value as matching nothing.
func (p *tpart) value(ctx *reqContext) (string, bool) {
	if p.bad {
		return "", false
	}
	if v, ok := ctx.single(p.key); ok {
		return v, true
	}
	return p.def, p.hasDef
}

// resolveVars appends the values of the template's variables, in order,
// to buf.
func (t *template) resolveVars(ctx *reqContext, buf []string) ([]string, bool) {
	for i := range t.parts {
		if p := &t.parts[i]; p.isVar {
			v, ok := p.value(ctx)
			if !ok {
				return nil, false
			}
			buf = append(buf, v)
		}
	}
	return buf, true
}

// resolve substitutes variables from the request context into pieces.
func (t *template) resolve(ctx *reqContext) ([]piece, bool) {
	if t.parts == nil {
		return []piece{{text: t.raw}}, true
	}
	out := make([]piece, 0, len(t.parts))
	for i := range t.parts {
		p := &t.parts[i]
		if !p.isVar {
			out = append(out, piece{text: p.text, literal: p.quoted})
			continue
		}
		v, ok := p.value(ctx)
		if !ok {
			return nil, false
		}
		out = append(out, piece{text: v, literal: true})
	}
	return out, true
}

// equal compares r with the resolved template, folding case when fold is
// set, without building the resolved string. A template whose variables
// do not resolve equals nothing.
func (t *template) equal(r string, ctx *reqContext, fold bool) bool {
	if t.parts == nil {
		if fold {
			return strings.EqualFold(t.raw, r)
		}
		return t.raw == r
	}
	rest, rASCII := r, !fold || isASCII(r)
	for i := range t.parts {
		p := &t.parts[i]
		text := p.text
		if p.isVar {
			v, ok := p.value(ctx)
			if !ok {
				return false
			}
			text = v
		}
		if fold && !(rASCII && isASCII(text)) {
			// Unicode folding can change byte lengths: compare whole strings.
			s, ok := t.resolveString(ctx)
			return ok && strings.EqualFold(s, r)
		}
		if len(rest) < len(text) || !equalText(rest[:len(text)], text, fold) {
			return false
		}
		rest = rest[len(text):]
	}
	return rest == ""
}

func equalText(a, b string, fold bool) bool {
	if fold {
		return asciiEqualFold(a, b)
	}
	return a == b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// resolveString is resolve joined into one string.
func (t *template) resolveString(ctx *reqContext) (string, bool) {
	if t.parts == nil {
		return t.raw, true
	}
	ps, ok := t.resolve(ctx)
	if !ok {
		return "", false
	}
	return joinPieces(ps), true
}

func joinPieces(ps []piece) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.text)
	}
	return b.String()
}
