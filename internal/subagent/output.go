package subagent

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// screen is the output all subagents of one call share: whole lines, each
// labelled with its subagent, so lines of parallel subagents never mix.
// While a subagent's question is on screen the other subagents go on
// working, and their lines wait until it is answered.
type screen struct {
	mu sync.Mutex
	w  io.Writer
	// held is set while a question is on screen; pending are the lines
	// that arrived meanwhile, dropped counts those beyond maxHeld.
	held    bool
	pending []string
	dropped int
}

// maxHeld bounds the lines kept while a question is open.
const maxHeld = 2000

// line writes text as labelled lines, or keeps them while a question is
// open. Everything shown comes from a model or a tool: control and
// invisible characters are made visible.
func (s *screen) line(label, text string) {
	l := labelled(label, text)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.held:
		_, _ = io.WriteString(s.w, l)
	case len(s.pending) < maxHeld:
		s.pending = append(s.pending, l)
	default:
		s.dropped++
	}
}

// hold keeps other lines back while a question is on screen; lines
// written through the returned function show at once. release shows
// what was kept back.
func (s *screen) hold() (show func(label, text string)) {
	s.mu.Lock()
	s.held = true
	s.mu.Unlock()
	return func(label, text string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, _ = io.WriteString(s.w, labelled(label, text))
	}
}

// labelled puts the label before every line of text.
func labelled(label, text string) string {
	var b strings.Builder
	for _, l := range strings.Split(termwidth.Visible(text), "\n") {
		fmt.Fprintf(&b, "[%s] %s\n", termwidth.Visible(label), l)
	}
	return b.String()
}

func (s *screen) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.pending {
		_, _ = io.WriteString(s.w, l)
	}
	if s.dropped > 0 {
		fmt.Fprintf(s.w, "(%d more lines of subagent output were not shown while a question was open)\n", s.dropped)
	}
	s.held, s.pending, s.dropped = false, nil, 0
}

// maxPartial is how much of an unfinished line a lineWriter holds before
// showing it anyway: a tool printing without newlines still shows.
const maxPartial = 4096

// lineWriter cuts what one subagent writes into labelled lines.
type lineWriter struct {
	s      *screen
	prefix string // label, then what kind of output (e.g. "│ ")
	label  string
	mu     sync.Mutex
	buf    []byte
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf = append(lw.buf, p...)
	for {
		i := bytes.IndexByte(lw.buf, '\n')
		if i < 0 {
			break
		}
		lw.s.line(lw.label, lw.prefix+strings.TrimSuffix(string(lw.buf[:i]), "\r"))
		lw.buf = lw.buf[i+1:]
	}
	if len(lw.buf) > maxPartial {
		// Keep a character cut by the write for the next one.
		cut := len(lw.buf)
		for i := len(lw.buf) - 1; i >= 0 && i >= len(lw.buf)-utf8.UTFMax; i-- {
			if utf8.RuneStart(lw.buf[i]) {
				if !utf8.FullRune(lw.buf[i:]) {
					cut = i
				}
				break
			}
		}
		lw.s.line(lw.label, lw.prefix+string(lw.buf[:cut]))
		lw.buf = append([]byte(nil), lw.buf[cut:]...)
	}
	return len(p), nil
}

// flush shows an unfinished last line.
func (lw *lineWriter) flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf) > 0 {
		lw.s.line(lw.label, lw.prefix+string(lw.buf))
		lw.buf = nil
	}
}

// observer shows one subagent's turn on the shared screen: its answer as
// it streams, its tool calls in a line each, their output and results.
type observer struct {
	s     *screen
	label string
	text  *lineWriter
	out   *lineWriter // the running call's output
}

func newObserver(s *screen, label string) *observer {
	return &observer{s: s, label: label, text: &lineWriter{s: s, label: label}}
}

func (o *observer) Text(delta string) { _, _ = io.WriteString(o.text, delta) }

func (o *observer) Retry(e model.Event) {
	o.text.flush()
	o.s.line(o.label, fmt.Sprintf("⟳ retrying (attempt %d): %v", e.Attempt+1, e.Err))
}

func (o *observer) ToolCall(c *agent.Call) {
	o.text.flush()
	what := ""
	if c.Inv != nil {
		var b strings.Builder
		c.Inv.Describe(&b, false)
		what = ": " + clip(b.String(), 160)
	}
	o.s.line(o.label, "🛠  "+c.Name+what)
}

func (o *observer) ToolOutput(*agent.Call) io.Writer {
	o.out = &lineWriter{s: o.s, label: o.label, prefix: "│ "}
	return o.out
}

func (o *observer) ToolResult(c *agent.Call, r tool.Result) {
	if o.out != nil {
		o.out.flush()
		o.out = nil
	}
	how := ""
	if c.Approval != agent.Unjudged {
		how = " (" + c.Approval.String() + ")"
	}
	if r.IsError {
		msg := ""
		if len(r.Content) > 0 {
			msg = ": " + clip(r.Content[0].Text, 300)
		}
		o.s.line(o.label, "✗ "+c.Name+how+msg)
		return
	}
	o.s.line(o.label, "✓ "+c.Name+how)
}

func (o *observer) Notice(msg string) {
	o.text.flush()
	o.s.line(o.label, msg)
}

func (o *observer) Usage(model.Usage) {}

// finish shows what is left of the subagent's answer.
func (o *observer) finish() { o.text.flush() }
