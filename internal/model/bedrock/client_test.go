package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
)

// fixture starts a fake Bedrock with turns and a client pointed at it
// through AWS_ENDPOINT_URL_BEDROCK_RUNTIME.
func fixture(t *testing.T, turns ...modeltest.Turn) (*Client, *modeltest.Server) {
	t.Helper()
	s := modeltest.NewBedrock(turns...)
	t.Cleanup(s.Close)
	modeltest.BedrockEnv(t, s)
	c, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, s
}

func userText(text string) model.Message {
	return model.Message{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: text}}}
}

func simpleRequest() *model.Request {
	return &model.Request{
		Model:    "anthropic.claude-sonnet-4-20250514-v1:0",
		System:   "You are a test.",
		Messages: []model.Message{userText("hello")},
		Tools: []model.ToolSpec{
			{Name: "fs_read", Description: "read", InputSchema: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)},
			{Name: "execute_bash", Description: "run"},
		},
	}
}

// collect records the events of one Stream call.
type collect struct{ events []model.Event }

func (c *collect) on(e model.Event) { c.events = append(c.events, e) }

func (c *collect) texts() []string {
	var out []string
	for _, e := range c.events {
		if e.Type == model.EventText {
			out = append(out, e.Text)
		}
	}
	return out
}

func TestStreamTextInOrder(t *testing.T) {
	c, s := fixture(t, modeltest.Turn{Text: []string{"Hel", "lo ", "world"}, Usage: &model.Usage{InputTokens: 12, OutputTokens: 3}})
	var got collect
	resp, err := c.Stream(context.Background(), simpleRequest(), got.on)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if want := []string{"Hel", "lo ", "world"}; strings.Join(got.texts(), "|") != strings.Join(want, "|") {
		t.Errorf("text events = %q, want %q", got.texts(), want)
	}
	if resp.Message.Role != model.Assistant || resp.Message.Text() != "Hello world" {
		t.Errorf("message = %+v", resp.Message)
	}
	if resp.StopReason != model.StopEndTurn {
		t.Errorf("stop = %q, want end_turn", resp.StopReason)
	}
	if resp.Usage != (model.Usage{InputTokens: 12, OutputTokens: 3}) {
		t.Errorf("usage = %+v", resp.Usage)
	}

	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Model != "anthropic.claude-sonnet-4-20250514-v1:0" || r.System != "You are a test." {
		t.Errorf("recorded model/system = %q / %q", r.Model, r.System)
	}
	if strings.Join(r.Tools, ",") != "fs_read,execute_bash" {
		t.Errorf("recorded tools = %q", r.Tools)
	}
	if len(r.Messages) != 1 || r.Messages[0].Text() != "hello" || r.Messages[0].Role != model.User {
		t.Errorf("recorded messages = %+v", r.Messages)
	}
}

func TestStreamToolCalls(t *testing.T) {
	c, _ := fixture(t, modeltest.Turn{
		Text: []string{"Looking."},
		ToolCalls: []modeltest.ToolCall{
			{ID: "t1", Name: "fs_read", Input: `{"path": "a.txt", "n": [1, 2]}`},
			{ID: "t2", Name: "execute_bash", Input: `{"command":"ls -l"}`},
			{ID: "t3", Name: "noargs", Input: ``},
			{ID: "t4", Name: "fs_read", Input: `{"path": "a"`},
			{ID: "t5", Name: "fs_read", Input: `[1,2]`},
		},
	})
	var got collect
	resp, err := c.Stream(context.Background(), simpleRequest(), got.on)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	var announced []string
	for _, e := range got.events {
		if e.Type == model.EventToolUse {
			announced = append(announced, e.ToolUseID+":"+e.Name)
		}
	}
	if want := "t1:fs_read t2:execute_bash t3:noargs t4:fs_read t5:fs_read"; strings.Join(announced, " ") != want {
		t.Errorf("tool events = %q, want %q", announced, want)
	}
	if resp.StopReason != model.StopToolUse {
		t.Errorf("stop = %q, want tool_use", resp.StopReason)
	}
	if len(resp.Message.Content) == 0 || resp.Message.Content[0].Text != "Looking." {
		t.Fatalf("first block = %+v, want the text", resp.Message.Content)
	}
	uses := resp.Message.ToolUses()
	want := []struct{ id, input, raw string }{
		{"t1", `{"path":"a.txt","n":[1,2]}`, ""},
		{"t2", `{"command":"ls -l"}`, ""},
		{"t3", `{}`, ""},
		{"t4", `{}`, `{"path": "a"`},
		{"t5", `{}`, `[1,2]`},
	}
	if len(uses) != len(want) {
		t.Fatalf("got %d tool uses, want %d", len(uses), len(want))
	}
	for i, w := range want {
		u := uses[i]
		if u.ToolUseID != w.id || string(u.Input) != w.input || u.RawInput != w.raw {
			t.Errorf("tool use %d = {%s %s raw=%q}, want {%s %s raw=%q}", i, u.ToolUseID, u.Input, u.RawInput, w.id, w.input, w.raw)
		}
	}
}

func TestStreamEstimatesMissingUsage(t *testing.T) {
	c, _ := fixture(t, modeltest.Turn{Text: []string{"twelve bytes"}})
	resp, err := c.Stream(context.Background(), simpleRequest(), nil)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if !resp.Usage.Estimated || resp.Usage.OutputTokens != 3 || resp.Usage.InputTokens <= 0 {
		t.Errorf("usage = %+v, want estimated with 3 output tokens", resp.Usage)
	}
}

func TestStreamErrorKinds(t *testing.T) {
	tests := []struct {
		name   string
		turn   modeltest.Turn
		kind   model.ErrorKind
		status int
	}{
		{"throttled", modeltest.Turn{Status: 429}, model.KindThrottled, 429},
		{"internal", modeltest.Turn{Status: 500}, model.KindServer, 500},
		{"unavailable", modeltest.Turn{Status: 503}, model.KindServer, 503},
		{"overflow", modeltest.Turn{Status: 400, ErrorBody: "Input is too long for requested model."}, model.KindContextOverflow, 400},
		{"validation", modeltest.Turn{Status: 400, ErrorBody: "messages: text field is blank"}, model.KindOther, 400},
		{"access denied", modeltest.Turn{Status: 403}, model.KindAuth, 403},
		{"bad token", modeltest.Turn{Status: 401, ErrorBody: "The security token\nincluded in the request is invalid."}, model.KindAuth, 401},
		{"json body", modeltest.Turn{Status: 400, ErrorBody: `{"message":"prompt is too long: 210000 tokens > 200000 maximum"}`}, model.KindContextOverflow, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := fixture(t, tt.turn)
			var got collect
			resp, err := c.Stream(context.Background(), simpleRequest(), got.on)
			var ae *model.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *model.APIError", err, err)
			}
			if ae.Kind != tt.kind || ae.Status != tt.status {
				t.Errorf("kind/status = %d/%d, want %d/%d (%v)", ae.Kind, ae.Status, tt.kind, tt.status, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error message spans lines: %q", err)
			}
			if resp != nil || len(got.events) != 0 {
				t.Errorf("resp = %+v, events = %v; want none", resp, got.events)
			}
		})
	}
}

func TestStreamScriptExhaustedIsServerError(t *testing.T) {
	c, s := fixture(t)
	_, err := c.Stream(context.Background(), simpleRequest(), nil)
	if k := model.KindOf(err); k != model.KindServer {
		t.Errorf("kind = %d, want KindServer (%v)", k, err)
	}
	if len(s.Violations()) != 1 {
		t.Errorf("violations = %q, want the exhausted script", s.Violations())
	}
}

func TestStreamBrokenMidStreamKeepsPartialText(t *testing.T) {
	c, _ := fixture(t, modeltest.Turn{Text: []string{"one ", "two ", "three"}, BreakAfter: 2})
	var got collect
	resp, err := c.Stream(context.Background(), simpleRequest(), got.on)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindStreamBroken {
		t.Fatalf("err = %v, want KindStreamBroken", err)
	}
	if ae.Retryable() {
		t.Error("a broken stream after output must not be retryable")
	}
	if resp == nil || resp.Message.Text() != "one two " {
		t.Fatalf("partial response = %+v, want text %q", resp, "one two ")
	}
	if strings.Join(got.texts(), "") != "one two " {
		t.Errorf("events = %q", got.texts())
	}
}

func TestStreamBrokenBeforeOutputIsRetryable(t *testing.T) {
	c, _ := fixture(t, modeltest.Turn{BreakAfter: 1})
	_, err := c.Stream(context.Background(), simpleRequest(), nil)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindServer || !ae.Retryable() {
		t.Fatalf("err = %v, want retryable KindServer", err)
	}
}

func TestStreamCancelDuringHang(t *testing.T) {
	c, _ := fixture(t, modeltest.Turn{Text: []string{"thinking"}, Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel as soon as the first text arrives: the server then hangs, so
	// Stream can only return through cancellation.
	resp, err := c.Stream(ctx, simpleRequest(), func(e model.Event) {
		if e.Type == model.EventText {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if resp == nil || resp.Message.Text() != "thinking" {
		t.Errorf("partial response = %+v", resp)
	}
}
