package modeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// NewAnthropic starts a fake Anthropic Messages server on loopback that
// answers POST /v1/messages with the scripted turns, streamed as the real
// API streams them. Its URL is the server root, which is what the SDK
// expects in ANTHROPIC_BASE_URL. Close it when done.
func NewAnthropic(turns ...Turn) *Server {
	return start(turns, func(s *Server) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /v1/messages", s.serveAnthropic)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeJSONError(w, http.StatusNotFound, anthropicErrorBody(http.StatusNotFound,
				fmt.Sprintf("modeltest: no route for %s %s", r.Method, r.URL.Path)))
		})
		return mux
	})
}

// AnthropicEnv points the Anthropic adapter of the current process at s:
// ANTHROPIC_BASE_URL is s.URL and ANTHROPIC_API_KEY a dummy key, both
// restored when t ends.
func AnthropicEnv(t testing.TB, s *Server) {
	t.Helper()
	t.Setenv("ANTHROPIC_BASE_URL", s.URL)
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-modeltest")
}

func (s *Server) serveAnthropic(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req anRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.addViolation("anthropic request: body is not valid JSON: %v", err)
		writeJSONError(w, http.StatusBadRequest, anthropicErrorBody(http.StatusBadRequest, "modeltest: invalid JSON body: "+err.Error()))
		return
	}
	rec, err := req.recorded()
	if err != nil {
		s.addViolation("anthropic request: %v", err)
		writeJSONError(w, http.StatusBadRequest, anthropicErrorBody(http.StatusBadRequest, "modeltest: "+err.Error()))
		return
	}
	if !req.Stream {
		s.addViolation("anthropic request: stream is not true")
	}
	if req.MaxTokens <= 0 {
		s.addViolation("anthropic request: max_tokens is %d, the API requires a positive value", req.MaxTokens)
	}
	if r.Header.Get("anthropic-version") == "" {
		s.addViolation("anthropic request: no anthropic-version header")
	}
	rec.At = arrival(r)
	turn, ok := s.record(rec)
	if !ok {
		writeJSONError(w, http.StatusInternalServerError, anthropicErrorBody(http.StatusInternalServerError, "modeltest: script exhausted"))
		return
	}
	if turn.Status != 0 {
		b := turn.ErrorBody
		if b == "" {
			b = anthropicErrorBody(turn.Status, statusMessage(turn.Status))
		}
		writeJSONError(w, turn.Status, b)
		return
	}
	streamAnthropic(newSSEStream(w, r), turn, req.Model)
}

type anObj = map[string]any

// streamAnthropic plays t as Messages stream events: message_start, a text
// block, one tool_use block per call with its input in several
// input_json_delta fragments, message_delta with the stop reason and
// output usage, and message_stop.
func streamAnthropic(st *sseStream, t Turn, model string) {
	var in, out int
	if t.Usage != nil {
		in, out = t.Usage.InputTokens, t.Usage.OutputTokens
	}
	start := anObj{"type": "message_start", "message": anObj{
		"id": fmt.Sprintf("msg_%d", time.Now().UnixNano()), "type": "message", "role": "assistant",
		"model": model, "content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": anObj{"input_tokens": in, "output_tokens": min(out, 1)},
	}}
	if !st.send("message_start", start) || !st.send("ping", anObj{"type": "ping"}) {
		return
	}
	index := 0
	if len(t.Text) > 0 || t.BreakAfter > 0 || t.Hang {
		cb := anObj{"type": "content_block_start", "index": index, "content_block": anObj{"type": "text", "text": ""}}
		if !st.send("content_block_start", cb) {
			return
		}
		for i, text := range t.Text {
			if !st.pause(t.Delay) {
				return
			}
			d := anObj{"type": "content_block_delta", "index": index, "delta": anObj{"type": "text_delta", "text": text}}
			if !st.send("content_block_delta", d) {
				return
			}
			if t.BreakAfter > 0 && i+1 >= t.BreakAfter {
				st.cut()
				return
			}
		}
		if t.BreakAfter > 0 {
			st.cut()
			return
		}
		if t.Hang {
			st.hang()
			return
		}
		if !st.send("content_block_stop", anObj{"type": "content_block_stop", "index": index}) {
			return
		}
		index++
	}
	for _, tc := range t.ToolCalls {
		if !st.pause(t.Delay) {
			return
		}
		cb := anObj{"type": "content_block_start", "index": index, "content_block": anObj{
			"type": "tool_use", "id": tc.ID, "name": tc.Name, "input": anObj{},
		}}
		if !st.send("content_block_start", cb) {
			return
		}
		// The API opens every tool input with an empty fragment.
		for _, frag := range append([]string{""}, splitFragments(tc.Input, 3)...) {
			d := anObj{"type": "content_block_delta", "index": index, "delta": anObj{"type": "input_json_delta", "partial_json": frag}}
			if !st.send("content_block_delta", d) {
				return
			}
		}
		if !st.send("content_block_stop", anObj{"type": "content_block_stop", "index": index}) {
			return
		}
		index++
	}
	stop := "end_turn"
	if len(t.ToolCalls) > 0 {
		stop = "tool_use"
	}
	md := anObj{"type": "message_delta", "delta": anObj{"stop_reason": stop, "stop_sequence": nil}, "usage": anObj{"output_tokens": out}}
	if st.send("message_delta", md) {
		st.send("message_stop", anObj{"type": "message_stop"})
	}
}

// anthropicErrorBody is the JSON error the Anthropic API sends for status.
func anthropicErrorBody(status int, msg string) string {
	typ := "invalid_request_error"
	switch status {
	case http.StatusUnauthorized:
		typ = "authentication_error"
	case http.StatusForbidden:
		typ = "permission_error"
	case http.StatusNotFound:
		typ = "not_found_error"
	case http.StatusRequestEntityTooLarge:
		typ = "request_too_large"
	case http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case 529:
		typ = "overloaded_error"
	default:
		if status >= 500 {
			typ = "api_error"
		}
	}
	b, _ := json.Marshal(anObj{"type": "error", "error": anObj{"type": typ, "message": msg}})
	return string(b)
}
