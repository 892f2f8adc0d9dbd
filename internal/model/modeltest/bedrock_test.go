package modeltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/qdev/qdev/internal/model"
)

// A Converse request as the AWS SDK serialises it.
const converseBody = `{
 "system": [{"text": "be brief"}],
 "messages": [
  {"role": "user", "content": [{"text": "look"}, {"image": {"format": "png", "source": {"bytes": "iVBORw=="}}}]},
  {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "fs_read", "input": {"path": "a"}}}]},
  {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "status": "error",
     "content": [{"text": "denied"}, {"json": {"k": 1}}]}}]}
 ],
 "toolConfig": {"tools": [{"toolSpec": {"name": "fs_read", "inputSchema": {"json": {"type": "object"}}}}]},
 "inferenceConfig": {"maxTokens": 100}
}`

const arnModel = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"

func postConverse(t *testing.T, ctx context.Context, s *Server, modelID, body string) *http.Response {
	t.Helper()
	u := s.URL + "/model/" + url.PathEscape(modelID) + "/converse-stream"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type frame struct {
	event   string
	payload map[string]any
}

// readFrames decodes event-stream messages until the body ends; err is the
// decoder's error, nil on a clean end.
func readFrames(t *testing.T, r io.Reader, limit int) (frames []frame, err error) {
	t.Helper()
	dec := eventstream.NewDecoder()
	for limit <= 0 || len(frames) < limit {
		msg, err := dec.Decode(r, nil)
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
		for name, want := range map[string]string{":message-type": "event", ":content-type": "application/json"} {
			if v := msg.Headers.Get(name); v == nil || v.String() != want {
				t.Errorf("header %s = %v, want %q", name, v, want)
			}
		}
		f := frame{event: msg.Headers.Get(":event-type").String()}
		if err := json.Unmarshal(msg.Payload, &f.payload); err != nil {
			t.Fatalf("%s payload %q: %v", f.event, msg.Payload, err)
		}
		frames = append(frames, f)
	}
	return frames, nil
}

func eventNames(fs []frame) string {
	var names []string
	for _, f := range fs {
		names = append(names, f.event)
	}
	return strings.Join(names, " ")
}

func TestBedrockStreamFramingAndRecording(t *testing.T) {
	s := NewBedrock(Turn{
		Text:      []string{"a", "b"},
		ToolCalls: []ToolCall{{ID: "t9", Name: "execute_bash", Input: `{"command":"ls"}`}},
		Usage:     &model.Usage{InputTokens: 7, OutputTokens: 2},
	})
	defer s.Close()
	resp := postConverse(t, context.Background(), s, arnModel, converseBody)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	frames, err := readFrames(t, resp.Body, 0)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := "messageStart contentBlockDelta contentBlockDelta contentBlockStop " +
		"contentBlockStart contentBlockDelta contentBlockDelta contentBlockStop messageStop metadata"
	if got := eventNames(frames); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	start := frames[4].payload
	if start["contentBlockIndex"] != 1.0 || start["start"].(map[string]any)["toolUse"].(map[string]any)["toolUseId"] != "t9" {
		t.Errorf("contentBlockStart = %v", start)
	}
	var input string
	for _, f := range frames[5:7] {
		input += f.payload["delta"].(map[string]any)["toolUse"].(map[string]any)["input"].(string)
	}
	if input != `{"command":"ls"}` {
		t.Errorf("reassembled input = %q", input)
	}
	if frames[8].payload["stopReason"] != "tool_use" {
		t.Errorf("messageStop = %v", frames[8].payload)
	}
	if u := frames[9].payload["usage"].(map[string]any); u["inputTokens"] != 7.0 || u["totalTokens"] != 9.0 {
		t.Errorf("usage = %v", u)
	}

	rec := s.Requests()[0]
	if rec.Model != arnModel || rec.System != "be brief" || strings.Join(rec.Tools, ",") != "fs_read" {
		t.Errorf("recorded model/system/tools = %q %q %q", rec.Model, rec.System, rec.Tools)
	}
	if len(rec.Messages) != 3 {
		t.Fatalf("recorded %d messages", len(rec.Messages))
	}
	img := rec.Messages[0].Content[1]
	if img.Type != model.ImageBlock || img.MediaType != "image/png" || !bytes.Equal(img.Data, []byte{0x89, 'P', 'N', 'G'}) {
		t.Errorf("image = %+v", img)
	}
	use := rec.Messages[1].Content[0]
	if use.Type != model.ToolUseBlock || use.ToolUseID != "t1" || string(use.Input) != `{"path": "a"}` {
		t.Errorf("tool use = %+v", use)
	}
	res := rec.Messages[2].Content[0]
	if res.Type != model.ToolResultBlock || !res.IsError || len(res.Content) != 2 || res.Content[0].Text != "denied" {
		t.Errorf("tool result = %+v", res)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations: %q", v)
	}
}

func TestBedrockErrors(t *testing.T) {
	tests := []struct {
		turn Turn
		code string
		msg  string
	}{
		{Turn{Status: 429}, "ThrottlingException", "Too many requests"},
		{Turn{Status: 500}, "InternalServerException", "internal error"},
		{Turn{Status: 503}, "ServiceUnavailableException", "unavailable"},
		{Turn{Status: 403}, "AccessDeniedException", "access"},
		{Turn{Status: 400, ErrorBody: "Input is too long for requested model."}, "ValidationException", "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s := NewBedrock(tt.turn)
			defer s.Close()
			resp := postConverse(t, context.Background(), s, "m", `{"messages":[]}`)
			var body struct{ Message string }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.turn.Status || resp.Header.Get("X-Amzn-Errortype") != tt.code ||
				!strings.Contains(body.Message, tt.msg) {
				t.Errorf("got %d %q %q, want %d %q ~%q", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"),
					body.Message, tt.turn.Status, tt.code, tt.msg)
			}
		})
	}
}

func TestBedrockBadRequestsAndExhaustion(t *testing.T) {
	s := NewBedrock()
	defer s.Close()
	if resp := postConverse(t, context.Background(), s, "m", `{"messages":`); resp.StatusCode != 400 {
		t.Errorf("malformed body: status %d, want 400", resp.StatusCode)
	}
	resp := postConverse(t, context.Background(), s, "m", `{"messages":[]}`)
	if resp.StatusCode != 500 || resp.Header.Get("X-Amzn-Errortype") != "InternalServerException" {
		t.Errorf("exhausted script: %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	v := s.Violations()
	if len(v) != 2 || !strings.Contains(v[0], "undecodable") || !strings.Contains(v[1], "exhausted") {
		t.Errorf("violations = %q", v)
	}
}

func TestBedrockBreakAfter(t *testing.T) {
	s := NewBedrock(Turn{Text: []string{"1", "2", "3"}, BreakAfter: 2})
	defer s.Close()
	resp := postConverse(t, context.Background(), s, "m", `{"messages":[]}`)
	frames, err := readFrames(t, resp.Body, 0)
	if err == nil {
		t.Error("decoder saw a clean end; want the connection cut")
	}
	if got := eventNames(frames); got != "messageStart contentBlockDelta contentBlockDelta" {
		t.Errorf("events before the cut = %s", got)
	}
}

func TestBedrockHangWaitsForClient(t *testing.T) {
	s := NewBedrock(Turn{Text: []string{"x"}, Hang: true, ToolCalls: []ToolCall{{ID: "t", Name: "n"}}})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	resp := postConverse(t, ctx, s, "m", `{"messages":[]}`)
	frames, err := readFrames(t, resp.Body, 3)
	if err != nil || eventNames(frames) != "messageStart contentBlockDelta contentBlockStop" {
		t.Fatalf("frames = %s, err = %v", eventNames(frames), err)
	}
	cancel()
	rest, err := readFrames(t, resp.Body, 0)
	if err == nil || len(rest) != 0 {
		t.Errorf("after the text: frames %s, err %v; want nothing until the client left", eventNames(rest), err)
	}
}

func TestBedrockEnvIsolates(t *testing.T) {
	s := NewBedrock()
	defer s.Close()
	t.Setenv("AWS_PROFILE", "developer")
	BedrockEnv(t, s)
	if os.Getenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") != s.URL || os.Getenv("AWS_REGION") != "us-east-1" {
		t.Error("endpoint or region not set")
	}
	if _, ok := os.LookupEnv("AWS_PROFILE"); ok {
		t.Error("AWS_PROFILE still set")
	}
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		if p := os.Getenv(k); !strings.HasPrefix(p, os.TempDir()) {
			t.Errorf("%s = %q, want a temp file", k, p)
		}
	}
}
