package render

import (
	"strings"
	"unicode"
)

// inline is the state of the text part of one line.
type inline struct {
	base   style  // style of the whole line (a heading)
	prev   rune   // the previous input character on the line; 0 at its start
	pend   []unit // characters held back, see kind
	kind   pending
	bold   rune // delimiter ('*' or '_') that opened bold, 0 when off
	italic rune // delimiter that opened italic, 0 when off
	code   int  // length of the backtick run that opened a code span, 0 when off
	link   bool // rendering link text
	url    int  // 1 + parenthesis depth while rendering a link target, 0 when off
}

// pending says why inline characters are being held back.
type pending int

const (
	pendNone      pending = iota
	pendDelim             // a run of '*' or '_', until the character after it
	pendTicks             // a run of '`', until the character after it
	pendLinkText          // text after '[', until ']'
	pendLinkClose         // "[text]", until we see whether '(' follows
)

// maxLinkText bounds how much text after '[' is held back waiting for ']'.
const maxLinkText = 200

// eol stands for the end of the line where a following character is asked for.
const eol rune = -1

func (m *Markdown) syncStyle() {
	in := &m.in
	m.want = in.base
	m.want.bold = in.bold != 0
	m.want.italic = in.italic != 0
	m.want.code = in.code > 0
	m.want.link = in.link
	m.want.url = in.url > 0
}

// feedInline takes one character of line text.
func (m *Markdown) feedInline(u unit) {
	in := &m.in
	switch in.kind {
	case pendDelim, pendTicks:
		if u.r == in.pend[0].r {
			in.pend = append(in.pend, u)
			return
		}
		m.resolve(u.r)
		m.feedInline(u)
		return
	case pendLinkText:
		switch {
		case u.r == ']':
			in.kind = pendLinkClose
			return
		case u.r == '[' || len(in.pend) >= maxLinkText:
			m.literalLink(false)
			m.feedInline(u)
			return
		}
		in.pend = append(in.pend, u)
		return
	case pendLinkClose:
		if u.r == '(' {
			m.openLink()
			return
		}
		m.literalLink(true)
		m.feedInline(u)
		return
	}
	m.plain(u)
}

// plain handles a character with nothing held back.
func (m *Markdown) plain(u unit) {
	in := &m.in
	switch {
	case in.code > 0:
		if u.r == '`' {
			in.kind, in.pend = pendTicks, []unit{u}
			return
		}
	case in.url > 0:
		switch u.r {
		case '(':
			in.url++
		case ')':
			in.url--
			if in.url == 0 {
				m.syncStyle()
				m.text(u.s)
				in.prev = u.r
				return
			}
		}
	case u.r == '*' || u.r == '_':
		in.kind, in.pend = pendDelim, []unit{u}
		return
	case u.r == '`':
		in.kind, in.pend = pendTicks, []unit{u}
		return
	case u.r == '[' && !in.link:
		in.kind, in.pend = pendLinkText, nil
		return
	}
	m.syncStyle()
	m.text(u.s)
	in.prev = u.r
}

// resolve settles what is held back, given the character that follows it
// (or eol).
func (m *Markdown) resolve(next rune) {
	in := &m.in
	switch in.kind {
	case pendDelim:
		m.resolveDelim(next)
	case pendTicks:
		m.resolveTicks(next)
	case pendLinkText:
		m.literalLink(false)
	case pendLinkClose:
		m.literalLink(true)
	}
}

// resolveDelim decides whether a run of '*' or '_' opens or closes emphasis.
// The rules are stricter than CommonMark's because a streaming renderer
// cannot look ahead for the closing delimiter: a run opens only when it
// follows a non-word character and precedes a word character, so "a*b",
// "2 * 3", "*.go" and snake_case stay literal; '_' also never closes inside
// a word.
func (m *Markdown) resolveDelim(next rune) {
	in := &m.in
	d, n := in.pend[0].r, len(in.pend)
	in.kind, in.pend = pendNone, nil
	canClose := in.prev != 0 && !unicode.IsSpace(in.prev) && !(d == '_' && isWord(next))
	canOpen := !isWord(in.prev) && (isWord(next) || (next != eol && strings.ContainsRune("`[(\"'", next)))
	if canClose {
		if n >= 2 && in.bold == d {
			in.bold, n = 0, n-2
		}
		if n >= 1 && in.italic == d {
			in.italic, n = 0, n-1
		}
	}
	lit := ""
	if canOpen && n > 0 {
		if n >= 2 && in.bold == 0 {
			in.bold, n = d, n-2
		}
		if n >= 1 && in.italic == 0 {
			in.italic, n = d, n-1
		}
	} else {
		lit, n = strings.Repeat(string(d), n), 0
	}
	m.syncStyle()
	m.text(lit + strings.Repeat(string(d), n))
	in.prev = d
}

// resolveTicks opens or closes a code span, or writes the backticks.
func (m *Markdown) resolveTicks(next rune) {
	in := &m.in
	n := len(in.pend)
	in.kind, in.pend = pendNone, nil
	switch {
	case in.code == n:
		in.code = 0
	case in.code > 0 || next == eol:
		m.syncStyle()
		m.text(strings.Repeat("`", n))
	default:
		in.code = n
	}
	in.prev = '`'
}

// literalLink writes held "[text" (and "]" when closed) as ordinary text.
func (m *Markdown) literalLink(closed bool) {
	in := &m.in
	text := in.pend
	in.kind, in.pend = pendNone, nil
	m.syncStyle()
	m.text("[")
	in.prev = '['
	for _, u := range text {
		m.feedInline(u)
	}
	if closed {
		m.feedInline(unit{r: ']', s: "]"})
	}
}

// openLink renders "[text](" as the styled text followed by " (", and starts
// the underlined target, which then streams until ')'.
func (m *Markdown) openLink() {
	in := &m.in
	text := in.pend
	in.kind, in.pend = pendNone, nil
	in.link = true
	for _, u := range text {
		m.feedInline(u)
	}
	m.resolve(']')
	in.link = false
	in.url = 1
	in.code = 0
	m.want = in.base
	m.text(" (")
	m.syncStyle()
	in.prev = '('
}

// endInline settles the line at its end.
func (m *Markdown) endInline() {
	for m.in.kind != pendNone {
		m.resolve(eol)
	}
}

// isWord reports whether r is part of a word for emphasis rules.
func isWord(r rune) bool {
	return r > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
