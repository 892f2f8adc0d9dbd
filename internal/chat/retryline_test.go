package chat

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/model"
)

func refused() error {
	return &model.APIError{Provider: "ollama", Kind: model.KindNoServer,
		Message: "cannot reach http://127.0.0.1:11434/v1: dial tcp 127.0.0.1:11434: connect: connection refused",
		Hint:    "start Ollama (`ollama serve`) or set OLLAMA_HOST to the address it listens on"}
}

func columns(width int) func() (int, int) { return func() (int, int) { return width, 0 } }

// TestRetryLineFitsAndStartsFresh: on a 60-column terminal the retry line
// is one line of at most 59 columns that starts on a line of its own after
// a partial answer, shows the wait and attempt whole, and leaves the hint
// to the final error.
func TestRetryLineFitsAndStartsFresh(t *testing.T) {
	var term bytes.Buffer // answer and notices share the terminal
	d := newDisplay(&term, &term, false, columns(60), nil)
	d.Text("Let me look")
	d.Retry(model.Event{Type: model.EventRetry, Attempt: 1, Attempts: 2, Wait: 0.4, Err: refused()})
	lines := strings.Split(strings.TrimSuffix(term.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "Let me look" {
		t.Fatalf("output %q: want the partial answer ended, then one retry line", term.String())
	}
	retry := lines[1]
	if !strings.HasPrefix(retry, "⟳ retrying in 0.4s (attempt 2 of 2): ollama: cannot reach") {
		t.Errorf("retry line %q", retry)
	}
	if w := termwidth.Width(retry); w > 59 {
		t.Errorf("retry line is %d columns on a 60-column terminal: %q", w, retry)
	}
	if strings.Contains(retry, "OLLAMA_HOST") {
		t.Errorf("retry line carries the hint: %q", retry)
	}

	// Without a known width the whole summary is shown, still on one line.
	var plain bytes.Buffer
	newDisplay(&plain, &plain, false, nil, nil).Retry(model.Event{Attempt: 1, Wait: 1.25,
		Err: errors.New("multi\nline\tcause")})
	if got := plain.String(); got != "⟳ retrying in 1.2s (attempt 2): multi line cause\n" {
		t.Errorf("retry line %q", got)
	}
}

// TestErrorLineWrapsAtSpaces: the final error starts on a fresh line and
// is wrapped between words, so no number, address or variable is cut.
func TestErrorLineWrapsAtSpaces(t *testing.T) {
	for _, width := range []int{30, 45, 60, 200} {
		var term bytes.Buffer
		d := newDisplay(&term, &term, true, columns(width), nil)
		d.Text("partial")
		d.Error(refused())
		out := term.String()
		if !strings.HasPrefix(out, "partial\n\x1b[31mError: ollama: cannot reach") || !strings.HasSuffix(out, "\n") {
			t.Fatalf("width %d: output %q", width, out)
		}
		var words []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:] {
			if w := termwidth.Width(line); w > width-1 {
				t.Errorf("width %d: line %q is %d columns", width, line, w)
			}
			words = append(words, strings.Fields(line)...)
		}
		want := strings.Fields("\x1b[31mError: " + refused().Error() + "\x1b[0m")
		if strings.Join(words, " ") != strings.Join(want, " ") {
			t.Errorf("width %d: words %q\nwant %q", width, words, want)
		}
	}
}
