package mcp

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// stderrKeep is how much of a server's stderr is kept for error messages.
const stderrKeep = 4096

// stderrLog receives a stdio server's stderr: complete lines go to the log,
// and the last stderrKeep bytes are kept so that a failure can show what the
// server said last (usually why it died).
type stderrLog struct {
	server string
	log    *slog.Logger

	mu      sync.Mutex
	tail    []byte // last stderrKeep bytes
	partial []byte // an unfinished line
}

// Write logs complete lines and keeps the tail; it never fails.
func (s *stderrLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tail = append(s.tail, p...)
	if over := len(s.tail) - stderrKeep; over > 0 {
		s.tail = append(s.tail[:0], s.tail[over:]...)
	}
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		if line := strings.TrimRight(string(s.partial[:i]), "\r"); line != "" {
			s.log.Info("mcp server stderr", "server", s.server, "line", line)
		}
		s.partial = s.partial[i+1:]
	}
	if len(s.partial) > stderrKeep {
		s.log.Info("mcp server stderr", "server", s.server, "line", string(s.partial))
		s.partial = s.partial[:0]
	}
	return len(p), nil
}

// lastLines returns up to n trailing non-empty lines of stderr, joined by
// " | " so the result fits on one status line.
func (s *stderrLog) lastLines(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(s.tail)), "\n")
	var keep []string
	for i := len(lines) - 1; i >= 0 && len(keep) < n; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			keep = append([]string{l}, keep...)
		}
	}
	return strings.Join(keep, " | ")
}
