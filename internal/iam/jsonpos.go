package iam

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The policy parser needs the line and column of every element so that
// errors read "file:line:col: …"; encoding/json discards positions, so
// policies are read with this small JSON parser into a tree of nodes that
// remember their byte offsets. It is strict RFC 8259 (no comments, no
// trailing commas) and rejects duplicate object keys, whose meaning would
// otherwise depend on which copy a reader keeps.

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k nodeKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack; real
// policies nest four levels deep.
const maxDepth = 64

type node struct {
	kind    nodeKind
	off     int    // byte offset of the value's first character
	text    string // string value, number literal, or "true"/"false"
	items   []*node
	members []member
}

type member struct {
	key    string
	keyOff int
	val    *node
}

// scalar reports the node's value as text for string, number and boolean
// nodes, the way IAM reads condition values.
func (n *node) scalar() (string, bool) {
	switch n.kind {
	case kindString, kindNumber, kindBool:
		return n.text, true
	}
	return "", false
}

// syntaxError is a JSON error at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

type jsonParser struct {
	src   string
	pos   int
	depth int
}

// parseJSON parses one JSON document. A leading UTF-8 byte-order mark is
// skipped, as editors on some systems write one.
func parseJSON(src string) (*node, error) {
	p := &jsonParser{src: src}
	if strings.HasPrefix(src, "\uFEFF") {
		p.pos = 3
	}
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.errorf(p.pos, "unexpected %s after the top-level value", p.describe())
	}
	return n, nil
}

func (p *jsonParser) errorf(off int, format string, args ...any) error {
	return &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

func (p *jsonParser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (*node, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "unexpected end of input, want a JSON value")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &node{kind: kindString, off: start, text: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for _, lit := range []struct {
		word string
		kind nodeKind
	}{{"true", kindBool}, {"false", kindBool}, {"null", kindNull}} {
		if strings.HasPrefix(p.src[p.pos:], lit.word) {
			p.pos += len(lit.word)
			return &node{kind: lit.kind, off: start, text: lit.word}, nil
		}
	}
	return nil, p.errorf(start, "unexpected %s, want a JSON value", p.describe())
}

func (p *jsonParser) enter(off int) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(off, "nesting deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *jsonParser) object() (*node, error) {
	n := &node{kind: kindObject, off: p.pos}
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // '{'
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf(p.pos, "unexpected %s, want a quoted object key", p.describe())
		}
		keyOff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, p.errorf(keyOff, "duplicate key %q", key)
		}
		seen[key] = true
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf(p.pos, "unexpected %s, want ':' after key %q", p.describe(), key)
		}
		p.pos++
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, member{key: key, keyOff: keyOff, val: val})
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			p.pos++
			return n, nil
		}
		return nil, p.errorf(p.pos, "unexpected %s, want ',' or '}' in object", p.describe())
	}
}

func (p *jsonParser) array() (*node, error) {
	n := &node{kind: kindArray, off: p.pos}
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // '['
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, val)
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.pos++
			return n, nil
		}
		return nil, p.errorf(p.pos, "unexpected %s, want ',' or ']' in array", p.describe())
	}
}

func (p *jsonParser) number() (*node, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.src[p.pos] == '-' {
		p.pos++
	}
	intStart := p.pos
	if digits() == 0 || (p.src[intStart] == '0' && p.pos-intStart > 1) {
		return nil, p.errorf(start, "malformed number")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errorf(start, "malformed number")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errorf(start, "malformed number")
		}
	}
	return &node{kind: kindNumber, off: start, text: p.src[start:p.pos]}, nil
}
