package render

import (
	"strings"
	"unicode/utf8"
)

// lineKind is what the start of a line says the line is.
type lineKind int

const (
	kindUndecided lineKind = iota // more characters are needed
	kindText
	kindHeading
	kindBullet
	kindOrdered
	kindQuote
	kindRule
	kindFence
	kindTable
)

// feedStart takes a character at the start of a line (after indentation,
// which is written at once since it never changes).
func (m *Markdown) feedStart(u unit) {
	if len(m.hold) == 0 && isBlank(u.r) {
		m.text(u.s)
		return
	}
	m.hold = append(m.hold, u)
	m.classify(false)
}

// classify decides the kind of the line from the held characters, if it
// can, and renders the marker. eol says that the line has ended.
func (m *Markdown) classify(eol bool) {
	h := m.hold
	kind, n := lineKindOf(h, eol)
	switch kind {
	case kindUndecided:
		return
	case kindHeading:
		m.in.base.heading = true
		m.want = m.in.base
		m.text(joinUnits(h[:n]))
	case kindBullet:
		m.styled("•", style{marker: true})
		m.text(h[1].s)
	case kindOrdered:
		m.styled(joinUnits(h[:n-1]), style{marker: true})
		m.text(h[n-1].s)
	case kindQuote:
		// A quote bar, then the rest of the line is classified afresh, so
		// that lists and headings inside quotes render too.
		m.styled("│", style{quote: true})
		m.hold = nil
		return
	case kindRule:
		m.styled(strings.Repeat("─", m.ruleWidth()), style{rule: true})
		n = len(h)
	case kindFence:
		m.mode = modeFenceInfo
		return
	case kindTable:
		m.mode = modeTable
		return
	}
	m.hold = nil
	m.mode = modeInline
	for _, u := range h[n:] {
		m.feedInline(u)
	}
}

// lineKindOf classifies a line from its first characters h (indentation
// removed) and returns how many of them form the marker.
func lineKindOf(h []unit, eol bool) (lineKind, int) {
	undecided := kindUndecided
	if eol {
		undecided = kindText
	}
	c := h[0].r
	switch {
	case c == '#':
		k := runLen(h, '#')
		switch {
		case k > 6:
			return kindText, 0
		case k == len(h):
			if eol {
				return kindHeading, k
			}
			return undecided, 0
		case isBlank(h[k].r):
			return kindHeading, k + 1
		}
	case c == '-' || c == '*' || c == '+' || c == '_':
		if len(h) == 1 {
			return undecided, 0
		}
		if c != '_' && isBlank(h[1].r) {
			return kindBullet, 2
		}
		if c != '+' && onlyRuleChars(h, c) {
			if !eol {
				return kindUndecided, 0
			}
			if runCount(h, c) >= 3 {
				return kindRule, 0
			}
		}
	case c >= '0' && c <= '9':
		k := 0
		for k < len(h) && h[k].r >= '0' && h[k].r <= '9' {
			k++
		}
		switch {
		case k > 9:
			return kindText, 0
		case k == len(h):
			return undecided, 0
		case h[k].r != '.' && h[k].r != ')':
			return kindText, 0
		case k+1 == len(h):
			return undecided, 0
		case isBlank(h[k+1].r):
			return kindOrdered, k + 2
		}
	case c == '>':
		return kindQuote, 1
	case c == '|':
		return kindTable, 0
	case c == '`' || c == '~':
		k := runLen(h, c)
		if k >= 3 {
			return kindFence, 0
		}
		if k == len(h) {
			return undecided, 0
		}
	}
	return kindText, 0
}

// endFence renders a complete code fence line held in m.hold: a rule with
// the language name, or text when it is not a valid fence.
func (m *Markdown) endFence() {
	h := m.hold
	m.hold = nil
	c := h[0].r
	k := runLen(h, c)
	info := strings.TrimSpace(joinUnits(h[k:]))
	if c == '`' && strings.ContainsRune(info, '`') {
		m.mode = modeInline
		for _, u := range h {
			m.feedInline(u)
		}
		m.endInline()
		return
	}
	m.inCode, m.fenceChar, m.fenceLen = true, c, k
	lang, _, _ := strings.Cut(info, " ")
	m.fenceRule(lang)
}

// fenceRule draws the subtle line that replaces a code fence.
func (m *Markdown) fenceRule(label string) {
	w := m.ruleWidth()
	if label == "" {
		m.styled(strings.Repeat("─", w), style{rule: true})
		return
	}
	head := "── " + label + " "
	fill := max(2, w-utf8.RuneCountInString(head))
	m.styled(head+strings.Repeat("─", fill), style{rule: true})
}

// feedCodeStart takes a character at the start of a line inside a code
// block, where a closing fence may begin.
func (m *Markdown) feedCodeStart(u unit) {
	if len(m.hold) == 0 && isBlank(u.r) {
		m.text(u.s)
		return
	}
	m.hold = append(m.hold, u)
	k := runLen(m.hold, m.fenceChar)
	if k == len(m.hold) || (k >= m.fenceLen && allBlank(m.hold[k:])) {
		return
	}
	m.mode = modeCode
	m.codeText(m.hold)
	m.hold = nil
}

// endCodeStart settles a code line that ended while it could still have
// been a closing fence.
func (m *Markdown) endCodeStart() {
	h := m.hold
	m.hold = nil
	if len(h) == 0 {
		return
	}
	if k := runLen(h, m.fenceChar); k >= m.fenceLen && allBlank(h[k:]) {
		m.inCode = false
		m.fenceRule("")
		return
	}
	m.codeText(h)
}

func (m *Markdown) codeText(h []unit) {
	m.want = style{codeBlock: true}
	m.text(joinUnits(h))
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' }

func allBlank(h []unit) bool {
	for _, u := range h {
		if !isBlank(u.r) {
			return false
		}
	}
	return true
}

// runLen is the number of leading characters of h equal to c.
func runLen(h []unit, c rune) int {
	k := 0
	for k < len(h) && h[k].r == c {
		k++
	}
	return k
}

// runCount is the number of characters of h equal to c.
func runCount(h []unit, c rune) int {
	n := 0
	for _, u := range h {
		if u.r == c {
			n++
		}
	}
	return n
}

// onlyRuleChars reports whether h could still be a thematic break of c.
func onlyRuleChars(h []unit, c rune) bool {
	for _, u := range h {
		if u.r != c && !isBlank(u.r) {
			return false
		}
	}
	return true
}

func joinUnits(h []unit) string {
	var sb strings.Builder
	for _, u := range h {
		sb.WriteString(u.s)
	}
	return sb.String()
}
