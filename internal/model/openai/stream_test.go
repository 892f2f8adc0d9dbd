package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
	"github.com/qdev/qdev/internal/model/openai"
)

func newClient(t *testing.T, s *modeltest.Server) *openai.Client {
	t.Helper()
	c, err := openai.New(openai.Options{BaseURL: s.URL, APIKey: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect returns an onEvent that appends to *evs.
func collect(evs *[]model.Event) func(model.Event) {
	return func(e model.Event) { *evs = append(*evs, e) }
}

func userText(s string) model.Message {
	return model.Message{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: s}}}
}

func TestStreamTextInOrder(t *testing.T) {
	s := modeltest.NewOpenAI(modeltest.Turn{Text: []string{"Hel", "lo ", "wörld"}, Usage: &model.Usage{InputTokens: 12, OutputTokens: 3}})
	defer s.Close()
	var evs []model.Event
	req := &model.Request{
		Model: "gpt-test", System: "be brief", Messages: []model.Message{userText("hi")},
		Tools: []model.ToolSpec{{Name: "fs_read", Description: "read", InputSchema: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)}},
	}
	resp, err := newClient(t, s).Stream(context.Background(), req, collect(&evs))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range evs {
		if e.Type != model.EventText {
			t.Errorf("unexpected event %+v", e)
		}
		texts = append(texts, e.Text)
	}
	if want := []string{"Hel", "lo ", "wörld"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("text events = %q, want %q", texts, want)
	}
	if got := resp.Message.Text(); got != "Hello wörld" {
		t.Errorf("text = %q", got)
	}
	if resp.StopReason != model.StopEndTurn {
		t.Errorf("stop = %q", resp.StopReason)
	}
	if want := (model.Usage{InputTokens: 12, OutputTokens: 3}); resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	rec := s.Requests()
	if len(rec) != 1 {
		t.Fatalf("%d requests recorded", len(rec))
	}
	if rec[0].Model != "gpt-test" || rec[0].System != "be brief" || !reflect.DeepEqual(rec[0].Tools, []string{"fs_read"}) {
		t.Errorf("recorded %+v", rec[0])
	}
	if !reflect.DeepEqual(rec[0].Messages, []model.Message{userText("hi")}) {
		t.Errorf("recorded messages %+v", rec[0].Messages)
	}
}

func TestStreamToolCalls(t *testing.T) {
	s := modeltest.NewOpenAI(modeltest.Turn{
		Text: []string{"Let me look."},
		ToolCalls: []modeltest.ToolCall{
			{ID: "call_a", Name: "fs_read", Input: `{"path":"/etc/hosts","mode":"Line"}`},
			{ID: "call_b", Name: "execute_bash", Input: `{"command":"ls -la && echo ünïcode"}`},
			{ID: "call_c", Name: "fs_write", Input: `{"path": "x", "content": `},
			{ID: "call_d", Name: "introspect", Input: ``},
		},
	})
	defer s.Close()
	var evs []model.Event
	resp, err := newClient(t, s).Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{userText("go")}}, collect(&evs))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		switch e.Type {
		case model.EventText:
			got = append(got, "text:"+e.Text)
		case model.EventToolUse:
			got = append(got, "tool:"+e.Name+":"+e.ToolUseID)
		}
	}
	want := []string{"text:Let me look.", "tool:fs_read:call_a", "tool:execute_bash:call_b", "tool:fs_write:call_c", "tool:introspect:call_d"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
	if resp.StopReason != model.StopToolUse {
		t.Errorf("stop = %q", resp.StopReason)
	}
	uses := resp.Message.ToolUses()
	if len(uses) != 4 {
		t.Fatalf("%d tool uses: %+v", len(uses), resp.Message)
	}
	cases := []struct{ input, raw string }{
		{`{"path":"/etc/hosts","mode":"Line"}`, ""},
		{`{"command":"ls -la && echo ünïcode"}`, ""},
		{`{}`, `{"path": "x", "content": `},
		{`{}`, ""},
	}
	for i, c := range cases {
		if string(uses[i].Input) != c.input || uses[i].RawInput != c.raw {
			t.Errorf("tool %d: input %s raw %q, want %s raw %q", i, uses[i].Input, uses[i].RawInput, c.input, c.raw)
		}
	}
	if resp.Message.Content[0].Type != model.TextBlock {
		t.Errorf("first block %+v, want the text", resp.Message.Content[0])
	}
}

func TestUsageEstimatedWhenAbsent(t *testing.T) {
	s := modeltest.NewOpenAI(modeltest.Turn{Text: []string{strings.Repeat("x", 400)}})
	defer s.Close()
	req := &model.Request{Model: "m", System: strings.Repeat("s", 800), Messages: []model.Message{userText("hello")}}
	resp, err := newClient(t, s).Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := resp.Usage
	if !u.Estimated || u.OutputTokens != 100 || u.InputTokens < 200 || u.InputTokens > 210 {
		t.Errorf("usage = %+v, want estimated ~202 in / 100 out", u)
	}
}

func TestErrorKinds(t *testing.T) {
	cases := []struct {
		name   string
		turn   modeltest.Turn
		kind   model.ErrorKind
		status int
		msg    string
	}{
		{"throttled", modeltest.Turn{Status: 429}, model.KindThrottled, 429, "Too Many Requests"},
		{"server", modeltest.Turn{Status: 500}, model.KindServer, 500, ""},
		{"unauthorized", modeltest.Turn{Status: 401}, model.KindAuth, 401, ""},
		{"forbidden", modeltest.Turn{Status: 403}, model.KindAuth, 403, ""},
		{"overflow code", modeltest.Turn{Status: 400, ErrorBody: `{"error":{"message":"too big","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`}, model.KindContextOverflow, 400, "too big"},
		{"overflow message", modeltest.Turn{Status: 400, ErrorBody: `{"error":{"message":"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.","type":"BadRequestError","code":400}}`}, model.KindContextOverflow, 400, "maximum context length"},
		{"plain text body", modeltest.Turn{Status: 502, ErrorBody: "<html>Bad Gateway</html>"}, model.KindServer, 502, "Bad Gateway"},
		{"bad request", modeltest.Turn{Status: 400, ErrorBody: `{"error":{"message":"unknown model","type":"invalid_request_error","code":"model_not_found"}}`}, model.KindOther, 400, "unknown model"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := modeltest.NewOpenAI(c.turn)
			defer s.Close()
			resp, err := newClient(t, s).Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{userText("hi")}}, nil)
			var ae *model.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *model.APIError", err, err)
			}
			if ae.Kind != c.kind || ae.Status != c.status || ae.Provider != "openai" {
				t.Errorf("got kind %d status %d provider %q, want kind %d status %d", ae.Kind, ae.Status, ae.Provider, c.kind, c.status)
			}
			if !strings.Contains(ae.Error(), c.msg) {
				t.Errorf("error %q does not mention %q", ae.Error(), c.msg)
			}
			if resp != nil {
				t.Errorf("response %+v on a failure before output", resp)
			}
		})
	}
}

func TestStreamBrokenReturnsPartialText(t *testing.T) {
	s := modeltest.NewOpenAI(modeltest.Turn{
		Text:       []string{"one ", "two ", "three"},
		ToolCalls:  []modeltest.ToolCall{{ID: "c1", Name: "fs_read", Input: `{}`}},
		BreakAfter: 2,
	})
	defer s.Close()
	var evs []model.Event
	resp, err := newClient(t, s).Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{userText("hi")}}, collect(&evs))
	if model.KindOf(err) != model.KindStreamBroken {
		t.Fatalf("err = %v, want KindStreamBroken", err)
	}
	if resp == nil {
		t.Fatal("no partial response")
	}
	if got := resp.Message.Text(); got != "one two " {
		t.Errorf("partial text = %q", got)
	}
	if len(resp.Message.ToolUses()) != 0 || len(evs) != 2 {
		t.Errorf("partial %+v, events %+v", resp.Message, evs)
	}
}

func TestBreakBeforeOutputIsRetryable(t *testing.T) {
	s := modeltest.NewOpenAI(modeltest.Turn{BreakAfter: 1})
	defer s.Close()
	resp, err := newClient(t, s).Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{userText("hi")}}, nil)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindServer || !strings.Contains(ae.Message, "before any output") {
		t.Fatalf("err = %v, want a retryable KindServer error", err)
	}
	if resp != nil {
		t.Errorf("response %+v without output", resp)
	}
}

func TestCancelDuringHang(t *testing.T) {
	s := modeltest.NewOpenAI(modeltest.Turn{Text: []string{"thinking..."}, Hang: true})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		resp *model.Response
		err  error
	}
	done := make(chan result, 1)
	c := newClient(t, s)
	go func() {
		// Cancel as the first text arrives: the server then hangs, and
		// only the cancellation can end the call.
		resp, err := c.Stream(ctx, &model.Request{Model: "m", Messages: []model.Message{userText("hi")}}, func(model.Event) { cancel() })
		done <- result{resp, err}
	}()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", r.err)
		}
		if r.resp == nil || r.resp.Message.Text() != "thinking..." {
			t.Errorf("partial = %+v", r.resp)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Stream did not return after cancel")
	}
}

func TestRefusedNamesServerAndHint(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	compatible, err := openai.New(openai.Options{BaseURL: "http://" + addr + "/v1", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("OLLAMA_HOST", addr)
	ollama, err := openai.NewOllama(openai.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		client *openai.Client
		hint   string
	}{
		{compatible, "; start the server, or set OPENAI_BASE_URL to its address"},
		{ollama, "; start Ollama (`ollama serve`) or set OLLAMA_HOST to the address it listens on"},
	} {
		_, err = c.client.Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{userText("hi")}}, nil)
		var ae *model.APIError
		if !errors.As(err, &ae) || ae.Kind != model.KindNoServer || !ae.Retryable() {
			t.Fatalf("err = %v, want a retryable KindNoServer", err)
		}
		want := c.client.Name() + ": cannot reach http://" + addr + "/v1: dial tcp " + addr + ": connect: connection refused" + c.hint
		if ae.Error() != want {
			t.Errorf("error:\n%s\nwant\n%s", ae.Error(), want)
		}
	}
}

func TestScriptExhaustedIsServerError(t *testing.T) {
	s := modeltest.NewOpenAI()
	defer s.Close()
	_, err := newClient(t, s).Stream(context.Background(), &model.Request{Model: "m", Messages: []model.Message{userText("hi")}}, nil)
	if model.KindOf(err) != model.KindServer || !strings.Contains(err.Error(), "script exhausted") {
		t.Errorf("err = %v, want a server error about the exhausted script", err)
	}
	if len(s.Violations()) != 1 {
		t.Errorf("violations = %q", s.Violations())
	}
}
