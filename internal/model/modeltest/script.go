// Package modeltest runs scripted fake model servers that speak the real
// wire protocols (OpenAI chat completions SSE, Anthropic messages SSE and
// Bedrock ConverseStream over the AWS event stream) on loopback, and records
// and checks what the client sent.
package modeltest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/model"
)

// Turn is one scripted model response.
type Turn struct {
	// Text is streamed in order, one chunk per event.
	Text []string `json:"text,omitempty"`
	// ToolCalls follow the text.
	ToolCalls []ToolCall `json:"toolCalls,omitempty"`
	// Usage is reported at the end of the stream; nil reports none.
	Usage *model.Usage `json:"usage,omitempty"`
	// Status, when non-zero, answers with this HTTP status and ErrorBody
	// (or a protocol-shaped error of that status) instead of a stream.
	Status    int    `json:"status,omitempty"`
	ErrorBody string `json:"errorBody,omitempty"`
	// BreakAfter, when > 0, cuts the connection after that many text chunks.
	BreakAfter int `json:"breakAfter,omitempty"`
	// Hang, when true, streams the text and then blocks until the client goes away.
	Hang bool `json:"hang,omitempty"`
	// Delay is slept before each chunk.
	Delay time.Duration `json:"delay,omitempty"`
	// Conversation, when set, makes the turn answer only a request whose
	// first user message contains it, so that conversations running at
	// the same time (subagents) each get their own turns in order, however
	// their requests interleave. Turns without it answer any request.
	Conversation string `json:"conversation,omitempty"`
}

// ToolCall is a scripted tool call. Input is raw JSON text and may be
// deliberately malformed.
type ToolCall struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Input string `json:"input"`
}

// Recorded is a request as the server decoded it.
type Recorded struct {
	Model    string
	System   string
	Messages []model.Message
	Tools    []string
	At       time.Time
}

// Server is a running fake model server.
type Server struct {
	// URL is the base URL to give the SDK (for OpenAI it ends in /v1).
	URL string
	// Loop, when set, replays the script from the start when it runs out.
	Loop bool

	srv        *httptest.Server
	mu         sync.Mutex
	turns      []Turn
	served     []bool // by turn, in this pass over the script
	reqs       []Recorded
	done       []time.Time
	violations []string
}

func start(turns []Turn, h func(s *Server) http.Handler) *Server {
	s := &Server{turns: turns}
	inner := h(s)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), arrivalKey{}, time.Now()))
		inner.ServeHTTP(w, r)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		s.mu.Lock()
		s.done = append(s.done, time.Now())
		s.mu.Unlock()
	}))
	s.URL = s.srv.URL
	return s
}

type arrivalKey struct{}

// arrival is when the request's headers arrived, before its body was read
// and decoded: the moment the client's work for it ended.
func arrival(r *http.Request) time.Time {
	t, _ := r.Context().Value(arrivalKey{}).(time.Time)
	return t
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the requests received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Recorded(nil), s.reqs...)
}

// Completed returns, for each answered request, when its response was
// fully written: with Requests it measures the client's time between turns.
func (s *Server) Completed() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.done...)
}

// Violations returns protocol problems seen in client requests, such as a
// tool_use without its tool_result.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Append adds turns to the script.
func (s *Server) Append(turns ...Turn) {
	s.mu.Lock()
	s.turns = append(s.turns, turns...)
	s.mu.Unlock()
}

// record stores r, checks it, and returns the next scripted turn.
func (s *Server) record(r Recorded) (Turn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.At.IsZero() {
		r.At = time.Now()
	}
	s.reqs = append(s.reqs, r)
	s.violations = append(s.violations, checkPairs(r.Messages)...)
	i := s.nextFor(r)
	if i < 0 && s.Loop && len(s.served) > 0 {
		s.served = nil
		i = s.nextFor(r)
	}
	if i < 0 {
		s.violations = append(s.violations, fmt.Sprintf("request %d: script exhausted", len(s.reqs)))
		return Turn{}, false
	}
	s.served[i] = true
	return s.turns[i], true
}

// nextFor returns the first turn not yet served that may answer r, or -1.
// Callers hold s.mu.
func (s *Server) nextFor(r Recorded) int {
	for len(s.served) < len(s.turns) {
		s.served = append(s.served, false)
	}
	first := firstUserText(r.Messages)
	for i, t := range s.turns {
		if !s.served[i] && (t.Conversation == "" || strings.Contains(first, t.Conversation)) {
			return i
		}
	}
	return -1
}

// firstUserText is the text of the first user message.
func firstUserText(msgs []model.Message) string {
	for _, m := range msgs {
		if m.Role == model.User {
			return m.Text()
		}
	}
	return ""
}

// checkPairs reports tool_use blocks not answered by a tool_result in the
// next user message, and tool_results that answer nothing.
func checkPairs(msgs []model.Message) []string {
	var out []string
	for i, m := range msgs {
		if m.Role != model.Assistant {
			continue
		}
		uses := m.ToolUses()
		if len(uses) == 0 {
			continue
		}
		answered := map[string]bool{}
		if i+1 < len(msgs) {
			for _, b := range msgs[i+1].Content {
				if b.Type == model.ToolResultBlock {
					answered[b.ToolUseID] = true
				}
			}
		}
		for _, u := range uses {
			if !answered[u.ToolUseID] {
				out = append(out, fmt.Sprintf("message %d: tool_use %s (%s) has no tool_result", i, u.ToolUseID, u.Name))
			}
		}
	}
	for i, m := range msgs {
		for _, b := range m.Content {
			if b.Type != model.ToolResultBlock {
				continue
			}
			ok := false
			if i > 0 {
				for _, u := range msgs[i-1].ToolUses() {
					ok = ok || u.ToolUseID == b.ToolUseID
				}
			}
			if !ok {
				out = append(out, fmt.Sprintf("message %d: orphan tool_result %s", i, b.ToolUseID))
			}
		}
	}
	return out
}
