package chat

import (
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/chat/termwidth"
	"github.com/qdev/qdev/internal/mcp"
)

// mcpServerKey names one server of one manager: an agent swap starts new
// servers, whose failures are new.
type mcpServerKey struct {
	m    *mcp.Manager
	name string
}

// reportMCPFailures gives each MCP server that failed to start one line,
// "✗ name: reason", the reason's first line cut to the terminal; /mcp
// shows the whole reason. It runs before each prompt, so a failure shows
// up at the next prompt rather than in the middle of the line being typed.
func (s *Session) reportMCPFailures() {
	m := s.mcp()
	if m == nil {
		return
	}
	if s.mcpFailed == nil {
		s.mcpFailed = map[mcpServerKey]bool{}
	}
	width := s.width()
	if width <= 0 {
		width = 80
	}
	st := newStyles(s.Color)
	for _, srv := range m.Status() {
		key := mcpServerKey{m, srv.Name}
		if srv.State != mcp.StateFailed || s.mcpFailed[key] {
			continue
		}
		s.mcpFailed[key] = true
		name := termwidth.Visible(srv.Name)
		reason := strings.TrimSpace(srv.LastError)
		more := strings.Contains(reason, "\n")
		room := max(width-termwidth.Width(name)-termwidth.Width("✗ : (/mcp)")-2, 20)
		line := termwidth.Truncate(termwidth.Visible(firstLine(reason, len(reason))), room)
		if more || strings.HasSuffix(line, "…") {
			line += " (/mcp)"
		}
		fmt.Fprintf(s.Info, "%s✗ %s: %s%s\n", st.red, name, line, st.reset)
	}
}
