package console

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSourcesStartOnFreshLines(t *testing.T) {
	var screen bytes.Buffer
	c := New()
	tool, warn := c.Writer(&screen), c.Writer(&screen)
	tool.Write([]byte("   │ blocked ok"))
	warn.Write([]byte("Warning: ✗ preToolUse hook failed\n"))
	tool.Write([]byte("more"))
	tool.Write([]byte(" output\n"))
	want := "   │ blocked ok\nWarning: ✗ preToolUse hook failed\nmore output\n"
	if screen.String() != want {
		t.Errorf("screen = %q, want %q", screen.String(), want)
	}
}

func TestStatusLineNeverGluedOrOverdrawn(t *testing.T) {
	var screen bytes.Buffer
	c := New()
	w := c.Writer(&screen)
	c.SetStatus(&screen, "⠋ Thinking...")
	w.Write([]byte("Warning: slow\n"))
	if got := screen.String(); got != "\x1b[?25l\r\x1b[K⠋ Thinking...\r\x1b[K\x1b[?25hWarning: slow\n\x1b[?25l\r\x1b[K⠋ Thinking..." {
		t.Errorf("the status was not erased before the warning and redrawn below it: %q", got)
	}
	screen.Reset()
	w.Write([]byte("partial"))
	c.SetStatus(&screen, "⠙ Thinking...") // a tick while the line is unfinished
	if got := screen.String(); got != "\r\x1b[K\x1b[?25hpartial" {
		t.Errorf("the status was drawn over an unfinished line: %q", got)
	}
	screen.Reset()
	w.Write([]byte(" done\n"))
	c.SetStatus(&screen, "")
	if got := screen.String(); got != " done\n\x1b[?25l\r\x1b[K⠙ Thinking...\r\x1b[K\x1b[?25h" {
		t.Errorf("got %q", got)
	}
}

// Whatever the interleaving, every line on the screen holds the text of
// one source only, and the status line, once removed, leaves no trace.
func TestInterleavedSourcesProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 500; round++ {
		var screen bytes.Buffer
		c := New()
		names := []string{"a", "b", "c"}
		ws := make([]interface{ Write([]byte) (int, error) }, len(names))
		for i := range ws {
			ws[i] = c.Writer(&screen)
		}
		for step := 0; step < 20; step++ {
			switch i := r.IntN(5); {
			case i < 3:
				chunk := strings.Repeat(names[i], 1+r.IntN(3))
				if r.IntN(2) == 0 {
					chunk += "\n"
				}
				ws[i].Write([]byte(chunk))
			case i == 3:
				c.SetStatus(&screen, "S")
			default:
				c.SetStatus(&screen, "")
			}
		}
		c.SetStatus(&screen, "")
		// Apply the erases the status line uses, as a terminal would.
		text := screen.String()
		text = strings.ReplaceAll(text, "\x1b[?25l", "")
		text = strings.ReplaceAll(text, "\x1b[?25h", "")
		for _, line := range strings.Split(text, "\n") {
			if i := strings.LastIndex(line, "\r\x1b[K"); i >= 0 {
				if line[:i] != "" && strings.Trim(line[:i], "S\r\x1b[K") != "" {
					t.Fatalf("round %d: an erase removed output %q in %q", round, line[:i], text)
				}
				line = line[i+len("\r\x1b[K"):]
			}
			if line != "" && strings.Trim(line, string(line[0])) != "" {
				t.Fatalf("round %d: line %q mixes sources (screen %q)", round, line, text)
			}
		}
	}
}
