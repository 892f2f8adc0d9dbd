package render

import "strings"

// style is the set of attributes that should apply to the next text written.
// The renderer compares the wanted style with the one active on the terminal
// and emits an SGR sequence only when they differ, always as a full reset
// followed by the complete attribute list: nested styles (inline code in a
// heading, say) then never leave a stale attribute behind.
type style struct {
	heading   bool
	bold      bool
	italic    bool
	code      bool // inline code span
	codeBlock bool // fenced code block text
	link      bool // link text
	url       bool // link target
	marker    bool // list bullets and numbers
	quote     bool // block quote bar
	rule      bool // horizontal rules and code fence lines
}

// SGR parameters of the palette; plain 16-colour codes so that they follow
// the user's terminal theme.
const (
	sgrBold      = "1"
	sgrDim       = "2"
	sgrItalic    = "3"
	sgrUnderline = "4"
	fgGreen      = "32"
	fgYellow     = "33"
	fgBlue       = "34"
	fgMagenta    = "35"
	fgCyan       = "36"
	fgGray       = "90"
)

// sgr returns the escape sequence selecting s, or "" for the plain style.
func (s style) sgr() string {
	var p []string
	if s.heading || s.bold {
		p = append(p, sgrBold)
	}
	if s.rule {
		p = append(p, sgrDim)
	}
	if s.italic {
		p = append(p, sgrItalic)
	}
	if s.url {
		p = append(p, sgrUnderline)
	}
	switch {
	case s.code:
		p = append(p, fgGreen)
	case s.codeBlock:
		p = append(p, fgCyan)
	case s.url || s.link:
		p = append(p, fgBlue)
	case s.heading:
		p = append(p, fgMagenta)
	case s.marker:
		p = append(p, fgYellow)
	case s.quote:
		p = append(p, fgGray)
	}
	if len(p) == 0 {
		return ""
	}
	return "\x1b[" + strings.Join(p, ";") + "m"
}

// sgrReset turns every attribute off.
const sgrReset = "\x1b[0m"

// applyStyle makes the terminal's style equal to the wanted one.
func (m *Markdown) applyStyle() {
	if m.want == m.cur {
		return
	}
	if m.cur != (style{}) {
		m.out.WriteString(sgrReset)
	}
	m.out.WriteString(m.want.sgr())
	m.cur = m.want
}

// text writes s in the wanted style. Style changes are emitted only with
// visible text, so a style opened and closed around nothing leaves no trace.
func (m *Markdown) text(s string) {
	if s == "" {
		return
	}
	m.applyStyle()
	m.out.WriteString(s)
}

// styled writes s in style st and then returns to the wanted style.
func (m *Markdown) styled(s string, st style) {
	keep := m.want
	m.want = st
	m.text(s)
	m.want = keep
}

// ruleWidth is the width of horizontal rules and fence lines: the terminal
// width when known, capped so that rules stay subtle on wide screens.
func (m *Markdown) ruleWidth() int {
	const fallback, maxWidth = 40, 80
	switch {
	case m.opts.Width <= 0:
		return fallback
	case m.opts.Width > maxWidth:
		return maxWidth
	}
	return m.opts.Width
}
