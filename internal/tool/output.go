package tool

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"
)

// Limits on what a command's output may put in the conversation, from the
// original (MAX_TOOL_RESPONSE_SIZE and LINE_COUNT in execute/unix.rs).
const (
	// MaxResponseBytes is the most a tool result may hold.
	MaxResponseBytes = 400_000
	// maxStreamBytes caps each of stdout and stderr.
	maxStreamBytes = MaxResponseBytes / 3
	// maxStreamLines is how many trailing lines of a stream are kept.
	maxStreamLines = 1024
	// truncatedNote marks a stream whose beginning was dropped.
	truncatedNote = "(earlier output ... truncated)\n"
)

// tailBuffer keeps the last limit bytes written to it and counts the rest,
// so a command printing gigabytes costs at most 2*limit bytes of memory.
// It keeps the tail rather than the head (the original keeps the head of
// the last 1024 lines) because the end of a command's output, where errors
// and summaries are, is what the model needs, and because a bounded head of
// a sliding line window cannot be computed in bounded memory.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	total int64
}

func newTailBuffer(limit int) *tailBuffer {
	return &tailBuffer{limit: limit}
}

// Write never fails: output beyond the limit is counted and dropped.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total += int64(len(p))
	if len(p) >= t.limit {
		t.buf = append(t.buf[:0], p[len(p)-t.limit:]...)
		return len(p), nil
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.limit {
		n := copy(t.buf, t.buf[len(t.buf)-t.limit:])
		t.buf = t.buf[:n]
	}
	return len(p), nil
}

// Total is the number of bytes ever written.
func (t *tailBuffer) Total() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// Text returns the kept output: at most the last maxLines lines and limit
// bytes, hidden Unicode removed, without the final newline (the original
// joins lines with "\n"), and prefixed with truncatedNote when anything
// was dropped.
func (t *tailBuffer) Text(maxLines int) string {
	t.mu.Lock()
	data := t.buf
	if len(data) > t.limit {
		data = data[len(data)-t.limit:]
	}
	data = bytes.Clone(data)
	dropped := t.total > int64(len(data))
	t.mu.Unlock()

	if dropped {
		// The first kept line is a fragment; drop it when whole lines follow.
		if i := bytes.IndexByte(data, '\n'); i >= 0 && i < len(data)-1 {
			data = data[i+1:]
		}
		for len(data) > 0 && !utf8.RuneStart(data[0]) {
			data = data[1:]
		}
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	if maxLines > 0 {
		if n := bytes.Count(data, []byte("\n")) + 1; n > maxLines {
			cut := 0
			for skip := n - maxLines; skip > 0; skip-- {
				cut += bytes.IndexByte(data[cut:], '\n') + 1
			}
			data = data[cut:]
			dropped = true
		}
	}
	text := SanitizeUnicode(strings.ToValidUTF8(string(data), "\uFFFD"))
	if dropped {
		return truncatedNote + text
	}
	return text
}

// commandOutput is the JSON the original returns for execute_bash and
// use_aws, with its field order.
type commandOutput struct {
	ExitStatus string `json:"exit_status"`
	Stdout     string `json:"stdout"`
	Stderr     string `json:"stderr"`
}
