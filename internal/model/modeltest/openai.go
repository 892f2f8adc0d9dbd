package modeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// NewOpenAI starts a fake OpenAI chat completions server on loopback that
// answers POST /v1/chat/completions with the scripted turns, streamed as the
// real API streams them. Its URL ends in /v1, so it can be used as
// OPENAI_BASE_URL. Close it when done.
func NewOpenAI(turns ...Turn) *Server {
	s := start(turns, func(s *Server) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /v1/chat/completions", s.serveOpenAI)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeJSONError(w, http.StatusNotFound, openAIErrorBody(http.StatusNotFound,
				fmt.Sprintf("modeltest: no route for %s %s", r.Method, r.URL.Path)))
		})
		return mux
	})
	s.URL += "/v1"
	return s
}

// OpenAIEnv points the OpenAI adapter of the current process at s:
// OPENAI_BASE_URL is s.URL and OPENAI_API_KEY a dummy key, both restored
// when t ends.
func OpenAIEnv(t testing.TB, s *Server) {
	t.Helper()
	t.Setenv("OPENAI_BASE_URL", s.URL)
	t.Setenv("OPENAI_API_KEY", "sk-modeltest")
}

func (s *Server) serveOpenAI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req oaRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.addViolation("openai request: body is not valid JSON: %v", err)
		writeJSONError(w, http.StatusBadRequest, openAIErrorBody(http.StatusBadRequest, "modeltest: invalid JSON body: "+err.Error()))
		return
	}
	rec, err := req.recorded()
	if err != nil {
		s.addViolation("openai request: %v", err)
		writeJSONError(w, http.StatusBadRequest, openAIErrorBody(http.StatusBadRequest, "modeltest: "+err.Error()))
		return
	}
	if !req.Stream {
		s.addViolation("openai request: stream is not true")
	}
	rec.At = arrival(r)
	turn, ok := s.record(rec)
	if !ok {
		writeJSONError(w, http.StatusInternalServerError, openAIErrorBody(http.StatusInternalServerError, "modeltest: script exhausted"))
		return
	}
	if turn.Status != 0 {
		b := turn.ErrorBody
		if b == "" {
			b = openAIErrorBody(turn.Status, statusMessage(turn.Status))
		}
		writeJSONError(w, turn.Status, b)
		return
	}
	streamOpenAI(newSSEStream(w, r), turn, req.Model)
}

// oaChunk is one chat.completion.chunk. Usage is always present and null
// except in the usage chunk, as the API does with include_usage.
type oaChunk struct {
	ID      string     `json:"id"`
	Object  string     `json:"object"`
	Created int64      `json:"created"`
	Model   string     `json:"model"`
	Choices []oaChoice `json:"choices"`
	Usage   *oaUsage   `json:"usage"`
}

type oaChoice struct {
	Index        int     `json:"index"`
	Delta        oaDelta `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

type oaDelta struct {
	Role      string        `json:"role,omitempty"`
	Content   *string       `json:"content,omitempty"`
	ToolCalls []oaToolDelta `json:"tool_calls,omitempty"`
}

type oaToolDelta struct {
	Index    int       `json:"index"`
	ID       string    `json:"id,omitempty"`
	Type     string    `json:"type,omitempty"`
	Function oaFnDelta `json:"function"`
}

type oaFnDelta struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type oaUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// streamOpenAI plays t as chat completion chunks: a role chunk, one chunk
// per text piece, each tool call as a header chunk and several argument
// fragments, the finish chunk, the usage chunk and [DONE].
func streamOpenAI(st *sseStream, t Turn, model string) {
	now := time.Now()
	base := oaChunk{ID: fmt.Sprintf("chatcmpl-%d", now.UnixNano()), Object: "chat.completion.chunk", Created: now.Unix(), Model: model}
	chunk := func(d oaDelta, finish *string) oaChunk {
		c := base
		c.Choices = []oaChoice{{Delta: d, FinishReason: finish}}
		return c
	}
	empty := ""
	if !st.send("", chunk(oaDelta{Role: "assistant", Content: &empty}, nil)) {
		return
	}
	for i, text := range t.Text {
		if !st.pause(t.Delay) {
			return
		}
		if !st.send("", chunk(oaDelta{Content: &text}, nil)) {
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
	for i, tc := range t.ToolCalls {
		if !st.pause(t.Delay) {
			return
		}
		head := oaToolDelta{Index: i, ID: tc.ID, Type: "function", Function: oaFnDelta{Name: tc.Name}}
		if !st.send("", chunk(oaDelta{ToolCalls: []oaToolDelta{head}}, nil)) {
			return
		}
		for _, frag := range splitFragments(tc.Input, 3) {
			d := oaToolDelta{Index: i, Function: oaFnDelta{Arguments: frag}}
			if !st.send("", chunk(oaDelta{ToolCalls: []oaToolDelta{d}}, nil)) {
				return
			}
		}
	}
	finish := "stop"
	if len(t.ToolCalls) > 0 {
		finish = "tool_calls"
	}
	if !st.send("", chunk(oaDelta{}, &finish)) {
		return
	}
	if u := t.Usage; u != nil {
		c := base
		c.Choices = []oaChoice{}
		c.Usage = &oaUsage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.InputTokens + u.OutputTokens}
		if !st.send("", c) {
			return
		}
	}
	st.send("", "[DONE]")
}

// openAIErrorBody is the JSON error the OpenAI API sends for status.
func openAIErrorBody(status int, msg string) string {
	typ, code := "invalid_request_error", ""
	switch {
	case status == http.StatusTooManyRequests:
		typ, code = "requests", "rate_limit_exceeded"
	case status == http.StatusUnauthorized:
		code = "invalid_api_key"
	case status == http.StatusForbidden:
		code = "unsupported_country_region_territory"
	case status == http.StatusNotFound:
		code = "unknown_url"
	case status >= 500:
		typ, code = "server_error", "server_error"
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": code,
	}})
	return string(b)
}
