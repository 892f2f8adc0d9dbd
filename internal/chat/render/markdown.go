// Package render draws model output on a terminal: a streaming Markdown
// renderer and a spinner. It knows nothing about chat; callers decide when
// colour is wanted (a TTY, NO_COLOR unset) and pass that in.
package render

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// Options configures a Markdown renderer.
type Options struct {
	// Color enables styling. Without it the renderer writes its input
	// through unchanged, byte for byte.
	Color bool
	// Width is the terminal width in columns, used for rules; 0 means
	// unknown.
	Width int
}

// Markdown renders a stream of Markdown text for a terminal as it arrives.
//
// Text is written out as soon as its appearance is known. The renderer holds
// back only what it needs to decide that: the first characters of a line
// (to tell a heading, list item, quote, rule or code fence from text), a run
// of emphasis or code markers until the character after it, link text until
// its closing bracket, and a code fence line until its end. Rendering does
// not depend on how the input is split into Write calls.
//
// Emphasis and inline code end at the end of a line. A Markdown is not safe
// for concurrent use.
type Markdown struct {
	w    io.Writer
	opts Options
	out  bytes.Buffer // output of the current Write, sent in one piece

	partial []byte // an incomplete UTF-8 sequence at the end of the last Write

	want, cur style
	mode      mode
	hold      []unit // line-start text held back for classification
	inCode    bool   // inside a fenced code block
	fenceChar rune   // '`' or '~' of the open fence
	fenceLen  int    // length of the open fence's marker run
	in        inline
	// table holds the lines of a table being read; tableLine is set when
	// the line just ended was one of them, whose newline the drawn table
	// supplies.
	table     []string
	tableLine bool
}

// unit is one character of input: a rune and the exact bytes it came from,
// so that invalid UTF-8 reaches the output unchanged.
type unit struct {
	r rune
	s string
}

// mode is where in a line the renderer is.
type mode int

const (
	modeStart     mode = iota // at the start of a line, classifying it
	modeInline                // in the text of a line
	modeFenceInfo             // reading a code fence line to its end
	modeCodeStart             // at the start of a line in a code block
	modeCode                  // in the text of a line in a code block
	modeTable                 // reading a table line to its end
)

// NewMarkdown returns a renderer writing to w.
func NewMarkdown(w io.Writer, opts Options) *Markdown {
	return &Markdown{w: w, opts: opts}
}

// Write renders the next piece of the message. It returns len(p) unless
// writing to the underlying writer fails.
func (m *Markdown) Write(p []byte) (int, error) {
	if !m.opts.Color {
		return m.w.Write(p)
	}
	data := p
	if len(m.partial) > 0 {
		data = append(m.partial, p...)
		m.partial = nil
	}
	for len(data) > 0 {
		if !utf8.FullRune(data) {
			m.partial = append([]byte(nil), data...)
			break
		}
		r, size := utf8.DecodeRune(data)
		m.feed(unit{r: r, s: string(data[:size])})
		data = data[size:]
	}
	if err := m.send(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush ends the message: it renders everything still held back, turns all
// styles off and resets the renderer for the next message.
func (m *Markdown) Flush() error {
	if !m.opts.Color {
		return nil
	}
	for _, b := range m.partial {
		m.feed(unit{r: utf8.RuneError, s: string([]byte{b})})
	}
	m.partial = nil
	m.endLine()
	m.tableLine = false
	if m.table != nil {
		m.flushTable()
	}
	m.want = style{}
	m.applyStyle()
	err := m.send()
	*m = Markdown{w: m.w, opts: m.opts}
	return err
}

// send writes the output gathered so far.
func (m *Markdown) send() error {
	if m.out.Len() == 0 {
		return nil
	}
	_, err := m.w.Write(m.out.Bytes())
	m.out.Reset()
	return err
}

// feed renders one character.
func (m *Markdown) feed(u unit) {
	// A line that does not continue the table ends it.
	if m.table != nil && m.mode == modeStart && len(m.hold) == 0 && u.r != '|' {
		m.flushTable()
	}
	if u.r == '\n' {
		m.endLine()
		m.want = style{}
		m.applyStyle()
		if m.tableLine {
			m.tableLine = false
			return
		}
		m.out.WriteString(u.s)
		return
	}
	switch m.mode {
	case modeStart:
		m.feedStart(u)
	case modeInline:
		m.feedInline(u)
	case modeFenceInfo, modeTable:
		m.hold = append(m.hold, u)
	case modeCodeStart:
		m.feedCodeStart(u)
	case modeCode:
		m.want = style{codeBlock: true}
		m.text(u.s)
	}
}

// endLine settles everything held for the current line, as at its end, and
// prepares for the next line.
func (m *Markdown) endLine() {
	if m.mode == modeStart && len(m.hold) > 0 {
		m.classify(true)
	}
	switch m.mode {
	case modeInline:
		m.endInline()
	case modeFenceInfo:
		m.endFence()
	case modeCodeStart:
		m.endCodeStart()
	case modeTable:
		m.table = append(m.table, joinUnits(m.hold))
		m.tableLine = true
	}
	m.hold = nil
	m.in = inline{}
	m.want = style{}
	m.mode = modeStart
	if m.inCode {
		m.mode = modeCodeStart
	}
}
