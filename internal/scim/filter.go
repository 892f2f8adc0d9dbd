package scim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Expr is a parsed SCIM filter (RFC 7644 §3.4.2.2): *And, *Or, *Not,
// *Compare, *Present or *ValuePath.
type Expr interface{ expr() }

// And is true when both operands are.
type And struct{ L, R Expr }

// Or is true when either operand is.
type Or struct{ L, R Expr }

// Not is true when its operand is not.
type Not struct{ X Expr }

// Compare is "attrPath op value"; Op is lower case (eq, ne, co, sw, ew,
// gt, ge, lt, le).
type Compare struct {
	Path  Path
	Op    string
	Value Value
}

// Present is "attrPath pr".
type Present struct{ Path Path }

// ValuePath is "attrPath[filter]": true when an element of the
// multi-valued attribute matches Filter, whose paths are the element's
// sub-attributes.
type ValuePath struct {
	Path   Path
	Filter Expr
}

func (*And) expr()       {}
func (*Or) expr()        {}
func (*Not) expr()       {}
func (*Compare) expr()   {}
func (*Present) expr()   {}
func (*ValuePath) expr() {}

// Path is an attribute path: an optional schema URI, an attribute name and
// an optional sub-attribute. Attr and Sub are lower case, because SCIM
// attribute names are case-insensitive.
type Path struct {
	URI, Attr, Sub string
}

// String returns the path in filter syntax.
func (p Path) String() string {
	s := p.Attr
	if p.Sub != "" {
		s += "." + p.Sub
	}
	if p.URI != "" {
		s = p.URI + ":" + s
	}
	return s
}

// ValueKind is the JSON type of a filter's comparison value.
type ValueKind int

// The kinds of comparison values.
const (
	String ValueKind = iota
	Number
	Bool
	Null
)

// Value is a comparison value: Str holds a string or a number's text.
type Value struct {
	Kind ValueKind
	Str  string
	Bool bool
}

// Limits on a filter, so that hostile input costs little to reject.
const (
	maxFilterLen   = 4096
	maxFilterDepth = 32
	maxFilterTerms = 100
)

// filterError is a filter that does not parse or cannot be applied: a 400
// with scimType invalidFilter.
type filterError struct{ msg string }

func (e *filterError) Error() string { return e.msg }

func filterErrorf(format string, args ...any) error {
	return &filterError{fmt.Sprintf(format, args...)}
}

// ParseFilter parses a filter expression.
func ParseFilter(s string) (Expr, error) {
	if len(s) > maxFilterLen {
		return nil, filterErrorf("the filter is longer than %d bytes", maxFilterLen)
	}
	p := &parser{lex: lexer{src: s}}
	if err := p.next(); err != nil {
		return nil, err
	}
	e, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, filterErrorf("unexpected %s at offset %d", p.tok.describe(), p.tok.pos)
	}
	return e, nil
}

type parser struct {
	lex   lexer
	tok   token
	terms int
}

func (p *parser) next() error {
	t, err := p.lex.next()
	p.tok = t
	return err
}

// keyword reports whether the current token is the word w (any case).
func (p *parser) keyword(w string) bool {
	return p.tok.kind == tWord && strings.EqualFold(p.tok.text, w)
}

func (p *parser) or(depth int) (Expr, error) {
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		if err := p.next(); err != nil {
			return nil, err
		}
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = &Or{l, r}
	}
	return l, nil
}

func (p *parser) and(depth int) (Expr, error) {
	l, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		if err := p.next(); err != nil {
			return nil, err
		}
		r, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		l = &And{l, r}
	}
	return l, nil
}

func (p *parser) unary(depth int) (Expr, error) {
	if depth >= maxFilterDepth {
		return nil, filterErrorf("the filter nests deeper than %d levels", maxFilterDepth)
	}
	if p.keyword("not") {
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.tok.kind != tLParen {
			return nil, filterErrorf("expected ( after not at offset %d", p.tok.pos)
		}
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Not{x}, nil
	}
	if p.tok.kind == tLParen {
		if err := p.next(); err != nil {
			return nil, err
		}
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, filterErrorf("expected ) at offset %d, found %s", p.tok.pos, p.tok.describe())
		}
		return x, p.next()
	}
	return p.attrExpr(depth)
}

// attrExpr parses "path pr", "path op value" or "path[filter]".
func (p *parser) attrExpr(depth int) (Expr, error) {
	if p.terms++; p.terms > maxFilterTerms {
		return nil, filterErrorf("the filter has more than %d comparisons", maxFilterTerms)
	}
	if p.tok.kind != tWord {
		return nil, filterErrorf("expected an attribute at offset %d, found %s", p.tok.pos, p.tok.describe())
	}
	path, err := parsePath(p.tok.text)
	if err != nil {
		return nil, err
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tLBracket {
		if path.Sub != "" {
			return nil, filterErrorf("%s: a sub-attribute cannot have a value filter", path)
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		inner, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRBracket {
			return nil, filterErrorf("expected ] at offset %d, found %s", p.tok.pos, p.tok.describe())
		}
		return &ValuePath{path, inner}, p.next()
	}
	if p.tok.kind != tWord {
		return nil, filterErrorf("expected an operator after %s at offset %d", path, p.tok.pos)
	}
	op := strings.ToLower(p.tok.text)
	if op == "pr" {
		return &Present{path}, p.next()
	}
	switch op {
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le":
	default:
		return nil, filterErrorf("unknown operator %q at offset %d", p.tok.text, p.tok.pos)
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return &Compare{path, op, v}, p.next()
}

func (p *parser) value() (Value, error) {
	switch p.tok.kind {
	case tString:
		return Value{Kind: String, Str: p.tok.text}, nil
	case tNumber:
		return Value{Kind: Number, Str: p.tok.text}, nil
	case tWord:
		switch strings.ToLower(p.tok.text) {
		case "true":
			return Value{Kind: Bool, Bool: true}, nil
		case "false":
			return Value{Kind: Bool}, nil
		case "null":
			return Value{Kind: Null}, nil
		}
	}
	return Value{}, filterErrorf("expected a value (string, number, true, false or null) at offset %d, found %s", p.tok.pos, p.tok.describe())
}

// coreURIs are the schemas whose attributes may be named with or without
// their URI.
var coreURIs = []string{userSchema, groupSchema}

// parsePath splits an attribute path: "name.givenName",
// "urn:…:User:userName". The URI of the core schemas is dropped.
func parsePath(s string) (Path, error) {
	var p Path
	rest := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.URI, rest = s[:i], s[i+1:]
		for _, u := range coreURIs {
			if strings.EqualFold(p.URI, u) {
				p.URI = ""
			}
		}
	}
	attr, sub, hasSub := strings.Cut(rest, ".")
	if !validAttrName(attr) || (hasSub && !validAttrName(sub)) {
		return Path{}, filterErrorf("%q is not an attribute path", s)
	}
	p.Attr, p.Sub = strings.ToLower(attr), strings.ToLower(sub)
	return p, nil
}

// validAttrName: ATTRNAME = ALPHA *(nameChar), and "$ref".
func validAttrName(s string) bool {
	if s == "$ref" {
		return true
	}
	for i, r := range s {
		alpha := ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		if !alpha && (i == 0 || !(r == '-' || r == '_' || ('0' <= r && r <= '9'))) {
			return false
		}
	}
	return s != ""
}

type tokenKind int

const (
	tEOF tokenKind = iota
	tWord
	tString
	tNumber
	tLParen
	tRParen
	tLBracket
	tRBracket
)

type token struct {
	kind tokenKind
	text string
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end"
	case tString:
		return "a string"
	}
	return fmt.Sprintf("%q", t.text)
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t') {
		l.pos++
	}
	start := l.pos
	if l.pos == len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	if k, ok := map[byte]tokenKind{'(': tLParen, ')': tRParen, '[': tLBracket, ']': tRBracket}[c]; ok {
		l.pos++
		return token{kind: k, text: string(c), pos: start}, nil
	}
	if c == '"' {
		return l.str()
	}
	for l.pos < len(l.src) && !strings.ContainsRune(" \t()[]\"", rune(l.src[l.pos])) {
		l.pos++
	}
	text := l.src[start:l.pos]
	if c == '-' || ('0' <= c && c <= '9') {
		var n json.Number
		if json.Unmarshal([]byte(text), &n) != nil {
			return token{}, filterErrorf("%q at offset %d is not a number", text, start)
		}
		return token{kind: tNumber, text: text, pos: start}, nil
	}
	return token{kind: tWord, text: text, pos: start}, nil
}

// str reads a JSON string literal.
func (l *lexer) str() (token, error) {
	start := l.pos
	for i := start + 1; i < len(l.src); i++ {
		switch l.src[i] {
		case '\\':
			i++
		case '"':
			var s string
			if err := json.Unmarshal([]byte(l.src[start:i+1]), &s); err != nil {
				return token{}, filterErrorf("malformed string at offset %d", start)
			}
			if strings.ContainsRune(s, 0) {
				return token{}, filterErrorf("the string at offset %d contains NUL", start)
			}
			l.pos = i + 1
			return token{kind: tString, text: s, pos: start}, nil
		}
	}
	return token{}, filterErrorf("unterminated string at offset %d", start)
}

// Format writes e in filter syntax, parenthesising every operand, so that
// ParseFilter(Format(e)) is e.
func Format(e Expr) string {
	switch e := e.(type) {
	case *And:
		return "(" + Format(e.L) + ") and (" + Format(e.R) + ")"
	case *Or:
		return "(" + Format(e.L) + ") or (" + Format(e.R) + ")"
	case *Not:
		return "not (" + Format(e.X) + ")"
	case *Present:
		return e.Path.String() + " pr"
	case *ValuePath:
		return e.Path.String() + "[" + Format(e.Filter) + "]"
	case *Compare:
		return e.Path.String() + " " + e.Op + " " + e.Value.String()
	}
	return ""
}

// String writes v as a filter's comparison value.
func (v Value) String() string {
	switch v.Kind {
	case String:
		b, _ := json.Marshal(v.Str)
		return string(b)
	case Bool:
		if v.Bool {
			return "true"
		}
		return "false"
	case Null:
		return "null"
	}
	return v.Str
}
