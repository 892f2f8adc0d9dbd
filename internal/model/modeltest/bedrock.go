package modeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// NewBedrock starts a fake Bedrock runtime that answers
// POST /model/{modelId}/converse-stream with the scripted turns, framed as
// the AWS event stream. Point the SDK at it with BedrockEnv. Signatures are
// not checked.
func NewBedrock(turns ...Turn) *Server {
	return start(turns, func(s *Server) http.Handler {
		mux := http.NewServeMux()
		// The SDK escapes the model id as one path segment (ARNs hold ':'
		// and '/'); the mux matches escaped segments and PathValue unescapes.
		mux.HandleFunc("POST /model/{modelId}/converse-stream", s.serveConverseStream)
		return mux
	})
}

// BedrockEnv points the AWS SDK of the current process at s with dummy
// credentials and region us-east-1, and isolates it from the developer's
// AWS configuration: config and credentials files are empty temp files and
// IMDS is disabled. Everything is restored when t ends.
func BedrockEnv(t testing.TB, s *Server) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	set := map[string]string{
		"AWS_ACCESS_KEY_ID":                "AKIDTESTTESTTESTTEST",
		"AWS_SECRET_ACCESS_KEY":            "test-secret-key",
		"AWS_REGION":                       "us-east-1",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": s.URL,
		"AWS_CONFIG_FILE":                  filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":      filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":        "true",
	}
	for k, v := range set {
		t.Setenv(k, v)
	}
	for _, k := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_BEARER_TOKEN_BEDROCK",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CA_BUNDLE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	} {
		t.Setenv(k, "") // registers the restore
		os.Unsetenv(k)
	}
}

func (s *Server) serveConverseStream(w http.ResponseWriter, r *http.Request) {
	// Read the whole body before answering, as Bedrock does.
	var req bedrockRequest
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		s.mu.Lock()
		s.violations = append(s.violations, "bedrock: undecodable request body: "+err.Error())
		s.mu.Unlock()
		writeBedrockError(w, http.StatusBadRequest, "Malformed request body: "+err.Error())
		return
	}
	rec := req.recorded(r.PathValue("modelId"))
	rec.At = arrival(r)
	turn, ok := s.record(rec)
	if !ok {
		writeBedrockError(w, http.StatusInternalServerError, "modeltest: script exhausted")
		return
	}
	if turn.Status != 0 {
		writeBedrockError(w, turn.Status, turn.ErrorBody)
		return
	}
	streamBedrockTurn(w, r, turn)
}

// streamBedrockTurn writes one turn as ConverseStream events: text deltas in
// block 0, then one start/delta/stop group per tool call, then messageStop
// and metadata, the order Bedrock uses.
func streamBedrockTurn(w http.ResponseWriter, r *http.Request, turn Turn) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("modeltest-%d", time.Now().UnixNano()))
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	enc := eventstream.NewEncoder()
	send := func(eventType string, payload any) bool {
		body, _ := json.Marshal(payload)
		var msg eventstream.Message
		msg.Headers.Set(":event-type", eventstream.StringValue(eventType))
		msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Payload = body
		return enc.Encode(w, msg) == nil && rc.Flush() == nil
	}
	wait := func() bool {
		if turn.Delay <= 0 {
			return r.Context().Err() == nil
		}
		t := time.NewTimer(turn.Delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return false
		case <-t.C:
			return true
		}
	}

	if !send("messageStart", map[string]any{"role": "assistant"}) {
		return
	}
	index := 0
	for i, chunk := range turn.Text {
		if turn.BreakAfter > 0 && i >= turn.BreakAfter {
			// Drop the connection without ending the chunked body.
			panic(http.ErrAbortHandler)
		}
		if !wait() || !send("contentBlockDelta", map[string]any{
			"contentBlockIndex": index, "delta": map[string]any{"text": chunk},
		}) {
			return
		}
	}
	if turn.BreakAfter > 0 {
		panic(http.ErrAbortHandler)
	}
	if len(turn.Text) > 0 {
		send("contentBlockStop", map[string]any{"contentBlockIndex": index})
		index++
	}
	if turn.Hang {
		<-r.Context().Done()
		return
	}
	for _, tc := range turn.ToolCalls {
		if !wait() {
			return
		}
		send("contentBlockStart", map[string]any{"contentBlockIndex": index, "start": map[string]any{
			"toolUse": map[string]any{"toolUseId": tc.ID, "name": tc.Name},
		}})
		// Real streams split the input JSON anywhere; two pieces exercise
		// the client's reassembly.
		half := len(tc.Input) / 2
		for _, part := range []string{tc.Input[:half], tc.Input[half:]} {
			if part != "" {
				send("contentBlockDelta", map[string]any{"contentBlockIndex": index, "delta": map[string]any{
					"toolUse": map[string]any{"input": part},
				}})
			}
		}
		send("contentBlockStop", map[string]any{"contentBlockIndex": index})
		index++
	}
	stop := "end_turn"
	if len(turn.ToolCalls) > 0 {
		stop = "tool_use"
	}
	send("messageStop", map[string]any{"stopReason": stop})
	meta := map[string]any{"metrics": map[string]any{"latencyMs": 1}}
	if u := turn.Usage; u != nil {
		meta["usage"] = map[string]any{
			"inputTokens": u.InputTokens, "outputTokens": u.OutputTokens,
			"totalTokens": u.InputTokens + u.OutputTokens,
		}
	}
	send("metadata", meta)
}

// writeBedrockError answers as Bedrock does: the error code in
// X-Amzn-Errortype and {"message": …} in the body. A body that is already
// a JSON object is sent unchanged.
func writeBedrockError(w http.ResponseWriter, status int, body string) {
	code, msg := bedrockErrorCode(status)
	if body == "" {
		body = msg
	}
	if !strings.HasPrefix(strings.TrimSpace(body), "{") {
		b, _ := json.Marshal(map[string]string{"message": body})
		body = string(b)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("modeltest-%d", time.Now().UnixNano()))
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// bedrockErrorCode returns the exception name Bedrock uses for status and a
// default message.
func bedrockErrorCode(status int) (string, string) {
	switch {
	case status == http.StatusTooManyRequests:
		return "ThrottlingException", "Too many requests, please wait before trying again."
	case status == http.StatusForbidden:
		return "AccessDeniedException", "You don't have access to the model with the specified model ID."
	case status == http.StatusUnauthorized:
		return "UnrecognizedClientException", "The security token included in the request is invalid."
	case status == http.StatusNotFound:
		return "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier."
	case status == http.StatusRequestTimeout:
		return "ModelTimeoutException", "Model has timed out in processing the request."
	case status == http.StatusServiceUnavailable:
		return "ServiceUnavailableException", "Service is temporarily unavailable."
	case status >= 500:
		return "InternalServerException", "The server encountered an internal error."
	}
	// 400 and anything else; overflow is a ValidationException whose
	// message (ErrorBody) says "too long", as Bedrock's does.
	return "ValidationException", "The request is invalid."
}
