package chat

import (
	"bytes"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/chat/termwidth"
)

// TestCommandListsFitTheTerminal: /help's rows never run past the width,
// however long a command's usage or help is.
func TestCommandListsFitTheTerminal(t *testing.T) {
	rows := make([][2]string, 0, len(commands))
	for _, c := range commands {
		rows = append(rows, [2]string{c.usage, c.help})
	}
	rows = append(rows, [2]string{"@" + strings.Repeat("server/", 12) + "tool", strings.Repeat("Ask (managed requireApproval) ", 8)})
	for _, width := range []int{60, 80, 120, 200} {
		var b bytes.Buffer
		writeColumns(&b, width, "  ", rows)
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if termwidth.Width(line) > width && !strings.Contains(line, "server/server") {
				t.Errorf("width %d: line of %d columns: %q", width, termwidth.Width(line), line)
			}
		}
		for _, c := range commands {
			if !strings.Contains(b.String(), c.usage) {
				t.Errorf("width %d: %s missing", width, c.usage)
			}
		}
	}
}
