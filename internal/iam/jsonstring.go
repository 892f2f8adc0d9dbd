package iam

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON string literals: escapes, surrogate pairs and UTF-8 validation,
// for the position-keeping reader in jsonpos.go.

// str reads a quoted string starting at p.pos and returns its value.
func (p *jsonParser) str() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf(start, "unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c < 0x20:
			return "", p.errorf(p.pos, "control character %#02x in string", c)
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf(p.pos, "invalid UTF-8 in string")
			}
			b.WriteString(p.src[p.pos : p.pos+size])
			p.pos += size
		}
	}
}

var simpleEscapes = map[byte]rune{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func (p *jsonParser) escape(b *strings.Builder) error {
	at := p.pos
	p.pos++ // backslash
	if p.pos >= len(p.src) {
		return p.errorf(at, "unterminated string")
	}
	c := p.src[p.pos]
	p.pos++
	if r, ok := simpleEscapes[c]; ok {
		b.WriteRune(r)
		return nil
	}
	if c != 'u' {
		return p.errorf(at, "invalid escape \\%c in string", c)
	}
	r, err := p.hex4(at)
	if err != nil {
		return err
	}
	if utf16.IsSurrogate(r) {
		// A high surrogate must be followed by an escaped low surrogate;
		// anything else is replaced, as encoding/json does.
		if strings.HasPrefix(p.src[p.pos:], `\u`) {
			save := p.pos
			p.pos += 2
			r2, err := p.hex4(save)
			if err != nil {
				return err
			}
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				b.WriteRune(dec)
				return nil
			}
			p.pos = save
		}
		r = utf8.RuneError
	}
	b.WriteRune(r)
	return nil
}

func (p *jsonParser) hex4(at int) (rune, error) {
	if p.pos+4 > len(p.src) {
		return 0, p.errorf(at, "malformed \\u escape in string")
	}
	v, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, p.errorf(at, "malformed \\u escape in string")
	}
	p.pos += 4
	return rune(v), nil
}
