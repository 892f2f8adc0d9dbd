package modeltest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// sseStream writes one server-sent-event response and applies a Turn's
// pacing (Delay, BreakAfter, Hang). The OpenAI and Anthropic fakes share it;
// the Bedrock fake speaks the AWS event stream instead.
type sseStream struct {
	w  http.ResponseWriter
	r  *http.Request
	rc *http.ResponseController
}

// newSSEStream sends the 200 status and event-stream headers.
func newSSEStream(w http.ResponseWriter, r *http.Request) *sseStream {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	s := &sseStream{w: w, r: r, rc: http.NewResponseController(w)}
	_ = s.rc.Flush()
	return s
}

// send writes one event. An empty name gives a data-only event as OpenAI
// sends them. data is marshalled to JSON unless it is already a string.
// It returns false once the client has gone away.
func (s *sseStream) send(name string, data any) bool {
	var payload []byte
	switch d := data.(type) {
	case string:
		payload = []byte(d)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			// The fakes only marshal their own plain structs; a failure here
			// is a bug in this package, reported on the stream itself.
			b = []byte(fmt.Sprintf(`{"error":{"message":%q}}`, err.Error()))
		}
		payload = b
	}
	if name != "" {
		if _, err := fmt.Fprintf(s.w, "event: %s\n", name); err != nil {
			return false
		}
	}
	if _, err := fmt.Fprintf(s.w, "data: %s\n\n", payload); err != nil {
		return false
	}
	return s.rc.Flush() == nil && s.r.Context().Err() == nil
}

// pause waits d, or less if the client goes away; it reports whether the
// client is still there.
func (s *sseStream) pause(d time.Duration) bool {
	if d <= 0 {
		return s.r.Context().Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.r.Context().Done():
		return false
	}
}

// cut drops the connection without ending the chunked body, so the client
// sees a stream that breaks in the middle. It never returns: it aborts the
// handler with http.ErrAbortHandler, which net/http handles silently, so
// that no wrapper writes to the dead response afterwards.
func (s *sseStream) cut() {
	_ = s.rc.Flush()
	if conn, _, err := s.rc.Hijack(); err == nil {
		_ = conn.Close()
	}
	panic(http.ErrAbortHandler)
}

// hang blocks until the client goes away.
func (s *sseStream) hang() {
	<-s.r.Context().Done()
}

// splitFragments cuts s into up to n pieces of similar length without
// splitting a UTF-8 sequence, so a JSON encoder does not mangle them. An
// empty s gives no pieces.
func splitFragments(s string, n int) []string {
	if s == "" {
		return nil
	}
	size := (len(s) + n - 1) / n
	var out []string
	for len(s) > 0 {
		end := size
		if end >= len(s) {
			out = append(out, s)
			break
		}
		for end < len(s) && !utf8.RuneStart(s[end]) {
			end++
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

// writeJSONError answers with status and a JSON body.
func writeJSONError(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// addViolation records a protocol problem that record cannot see, such as
// a request body that is not valid JSON.
func (s *Server) addViolation(format string, args ...any) {
	s.mu.Lock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// statusMessage is the message of a scripted error without an ErrorBody.
func statusMessage(status int) string {
	if status == 529 {
		return "Overloaded"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return fmt.Sprintf("scripted error %d", status)
}
