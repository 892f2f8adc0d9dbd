package chat

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/chat/render"
	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

// ANSI styles used by the terminal display; empty when colour is off.
type styles struct{ dim, bold, red, green, yellow, cyan, reset string }

func newStyles(color bool) styles {
	if !color {
		return styles{}
	}
	return styles{dim: "\x1b[2m", bold: "\x1b[1m", red: "\x1b[31m", green: "\x1b[32m",
		yellow: "\x1b[33m", cyan: "\x1b[36m", reset: "\x1b[0m"}
}

// display shows a turn on a terminal: the answer as rendered Markdown,
// tool calls with what they will do and which permission applied.
type display struct {
	out   io.Writer // answer text
	info  io.Writer // tool activity and notices
	st    styles
	color bool
	// columns gives the terminal width and the column to wrap the answer
	// at (0 leaves it to the terminal); nil means 0, 0.
	columns func() (width, wrap int)

	mu      sync.Mutex
	md      *render.Markdown
	safe    *termwidth.SafeWriter // the model's text on its way to md
	wrapper *render.Wrapper
	settle  *time.Timer // shows the word the wrapper holds when the answer pauses
	spinner *render.Spinner
	midLine bool // the answer's last byte was not a newline
	// toolOut is the running call's output, whose last line may be
	// unfinished when its result is shown.
	toolOut *dimWriter
}

func newDisplay(out, info io.Writer, color bool, columns func() (width, wrap int), spinner *render.Spinner) *display {
	return &display{out: out, info: info, st: newStyles(color), color: color, columns: columns, spinner: spinner}
}

func (d *display) stopSpinner() {
	if d.spinner != nil {
		d.spinner.Stop()
	}
}

func (d *display) Text(delta string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopSpinner()
	if d.md == nil {
		var width, wrap int
		if d.columns != nil {
			width, wrap = d.columns()
		}
		out := d.out
		if wrap > 0 {
			d.wrapper = render.NewWrapper(d.out, wrap)
			out = d.wrapper
		}
		d.md = render.NewMarkdown(out, render.Options{Color: d.color, Width: width})
		d.safe = termwidth.NewSafeWriter(d.md)
	}
	// The model may repeat what hostile tool output told it to; its text
	// gets the same neutralisation as tool output before rendering.
	_, _ = d.safe.Write([]byte(delta))
	if d.wrapper != nil {
		if d.settle == nil {
			d.settle = time.AfterFunc(settleDelay, d.settleWrap)
		} else {
			d.settle.Reset(settleDelay)
		}
	}
	if delta != "" {
		d.midLine = !strings.HasSuffix(delta, "\n")
	}
}

// settleDelay is how long the answer may pause before the word the wrapper
// holds back is shown anyway: longer than the gap between streamed tokens,
// short enough that a stalled stream does not hide its last word.
const settleDelay = 150 * time.Millisecond

func (d *display) settleWrap() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.wrapper != nil {
		_ = d.wrapper.Settle()
	}
}

// endText finishes the answer so far, so tool output starts on a fresh line.
func (d *display) endText() {
	d.stopSpinner()
	if d.md != nil {
		_ = d.md.Flush()
		d.md, d.safe = nil, nil
	}
	if d.wrapper != nil {
		_ = d.wrapper.Flush()
		d.wrapper = nil
	}
	if d.settle != nil {
		d.settle.Stop()
		d.settle = nil
	}
	if d.midLine {
		fmt.Fprintln(d.out)
		d.midLine = false
	}
}

// Retry shows a failed model call that will be repeated, on a line of its
// own that fits the terminal: the wait and the attempt come first, so
// cutting the line at the width never cuts a number, and the error's hint
// waits for the final error.
func (d *display) Retry(e model.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endText()
	attempt := fmt.Sprintf("attempt %d", e.Attempt+1)
	if e.Attempts > 0 {
		attempt += fmt.Sprintf(" of %d", e.Attempts)
	}
	line := fmt.Sprintf("⟳ retrying in %.1fs (%s): %s", e.Wait, attempt, oneLine(termwidth.Visible(errorSummary(e.Err))))
	if width := d.width(); width > 1 {
		line = termwidth.Truncate(line, width-1)
	}
	fmt.Fprintf(d.info, "%s%s%s\n", d.st.yellow, line, d.st.reset)
}

// Error shows the error that ended a turn, on a fresh line, wrapped at
// spaces to the terminal's width so that no number or path is cut.
func (d *display) Error(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endText()
	var w io.Writer = d.info
	var wrapper *render.Wrapper
	if width := d.width(); width > 1 {
		wrapper = render.NewWrapper(d.info, width-1)
		w = wrapper
	}
	fmt.Fprintf(w, "%sError: %s%s", d.st.red, oneLine(termwidth.Visible(err.Error())), d.st.reset)
	if wrapper != nil {
		_ = wrapper.Flush()
	}
	fmt.Fprintln(d.info)
}

// width is the terminal's width, 0 when unknown.
func (d *display) width() int {
	if d.columns == nil {
		return 0
	}
	width, _ := d.columns()
	return width
}

// errorSummary is err without the hint a model error ends with.
func errorSummary(err error) string {
	var ae *model.APIError
	if errors.As(err, &ae) {
		return ae.Summary()
	}
	return fmt.Sprint(err)
}

// oneLine folds runs of white space, newlines included, into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (d *display) ToolCall(c *agent.Call) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endText()
	fmt.Fprintf(d.info, "\n%s🛠  Using tool: %s%s%s\n", d.st.cyan, d.st.bold, termwidth.Visible(c.Name), d.st.reset)
	if c.Inv != nil {
		_, _ = io.WriteString(indent(d.info, "   "), describe(c.Inv, d.color))
	}
}

// describe is what inv will do, as shown for approval. The command, paths
// and arguments in it come from the model and must be shown exactly: when
// the plain description holds any control, escape or invisible character
// it is shown with those made visible and without colours, since the
// tool's own colouring could not be told apart from escapes in the data.
func describe(inv tool.Invocation, color bool) string {
	var plain strings.Builder
	inv.Describe(&plain, false)
	if vis := termwidth.Visible(plain.String()); vis != plain.String() || !color {
		return vis
	}
	var colored strings.Builder
	inv.Describe(&colored, true)
	return colored.String()
}

// ToolOutput shows the call's live output with terminal control sequences
// neutralised (colours pass).
func (d *display) ToolOutput(c *agent.Call) io.Writer {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.toolOut = &dimWriter{w: d.info, st: d.st}
	return termwidth.NewSafeWriter(d.toolOut)
}

func (d *display) ToolResult(c *agent.Call, r tool.Result) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endText()
	if d.toolOut != nil && d.toolOut.midLine {
		fmt.Fprintln(d.info)
	}
	d.toolOut = nil
	how := ""
	switch {
	case c.Approval == agent.AllowedByRule && c.Decision.Rule != "":
		how = " (trusted: " + c.Decision.Rule + ")"
	case c.Approval != agent.Unjudged:
		how = " (" + c.Approval.String() + ")"
	}
	if r.IsError {
		msg := ""
		if len(r.Content) > 0 {
			// Long enough for a denial's reasons, which name the deciding
			// file and statement at their end.
			msg = termwidth.Visible(firstLine(r.Content[0].Text, 2000))
		}
		fmt.Fprintf(d.info, "   %s✗ %s%s%s: %s\n\n", d.st.red, c.Name, how, d.st.reset, msg)
		return
	}
	if r.Note != "" {
		fmt.Fprintf(d.info, "   %s\n", termwidth.Visible(r.Note))
	}
	if r.ExitStatus != 0 {
		fmt.Fprintf(d.info, "   %s✓ Completed in %s with exit status %d%s%s\n\n", d.st.yellow, r.Duration.Round(time.Millisecond), r.ExitStatus, how, d.st.reset)
		return
	}
	fmt.Fprintf(d.info, "   %s✓ Completed in %s%s%s\n\n", d.st.green, r.Duration.Round(time.Millisecond), how, d.st.reset)
}

func (d *display) Notice(msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endText()
	fmt.Fprintf(d.info, "%s%s%s\n", d.st.yellow, termwidth.Visible(msg), d.st.reset)
}

func (d *display) Usage(model.Usage) {}

// finish ends the answer at the end of a turn.
func (d *display) finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endText()
}

func firstLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// dimWriter shows live tool output indented and dimmed.
type dimWriter struct {
	w       io.Writer
	st      styles
	midLine bool
}

func (w *dimWriter) Write(p []byte) (int, error) {
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line == "" {
			continue
		}
		if !w.midLine {
			b.WriteString("   " + w.st.dim + "│ " + w.st.reset)
		}
		b.WriteString(line)
		w.midLine = !strings.HasSuffix(line, "\n")
	}
	_, err := io.WriteString(w.w, b.String())
	return len(p), err
}

// indent prefixes every line written through it.
func indent(w io.Writer, prefix string) io.Writer {
	return &indenter{w: w, prefix: prefix, start: true}
}

type indenter struct {
	w      io.Writer
	prefix string
	start  bool
}

func (in *indenter) Write(p []byte) (int, error) {
	var b strings.Builder
	for _, c := range string(p) {
		if in.start {
			b.WriteString(in.prefix)
			in.start = false
		}
		b.WriteRune(c)
		if c == '\n' {
			in.start = true
		}
	}
	_, err := io.WriteString(in.w, b.String())
	return len(p), err
}
