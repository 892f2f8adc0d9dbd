package anthropic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/anthropic"
	"github.com/qdev/qdev/internal/model/modeltest"
)

func newClient(t *testing.T, baseURL string) *anthropic.Client {
	t.Helper()
	c, err := anthropic.New(anthropic.Options{BaseURL: baseURL, APIKey: "sk-ant-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func collect(evs *[]model.Event) func(model.Event) {
	return func(e model.Event) { *evs = append(*evs, e) }
}

func userText(s string) model.Message {
	return model.Message{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: s}}}
}

func hi() *model.Request {
	return &model.Request{Model: "claude-test", Messages: []model.Message{userText("hi")}}
}

func TestStreamTextInOrder(t *testing.T) {
	s := modeltest.NewAnthropic(modeltest.Turn{Text: []string{"Hel", "lo ", "wörld"}, Usage: &model.Usage{InputTokens: 12, OutputTokens: 3}})
	defer s.Close()
	var evs []model.Event
	req := hi()
	req.System = "be brief"
	req.Tools = []model.ToolSpec{{Name: "fs_read", Description: "read", InputSchema: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)}}
	resp, err := newClient(t, s.URL).Stream(context.Background(), req, collect(&evs))
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
	if resp.Message.Text() != "Hello wörld" || resp.StopReason != model.StopEndTurn {
		t.Errorf("response %+v", resp)
	}
	if want := (model.Usage{InputTokens: 12, OutputTokens: 3}); resp.Usage != want {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	rec := s.Requests()
	if len(rec) != 1 || rec[0].Model != "claude-test" || rec[0].System != "be brief" || !reflect.DeepEqual(rec[0].Tools, []string{"fs_read"}) {
		t.Fatalf("recorded %+v", rec)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations %q", v)
	}
}

func TestStreamToolCalls(t *testing.T) {
	s := modeltest.NewAnthropic(modeltest.Turn{
		Text: []string{"Let me look."},
		ToolCalls: []modeltest.ToolCall{
			{ID: "toolu_a", Name: "fs_read", Input: `{"path":"/etc/hosts"}`},
			{ID: "toolu_b", Name: "execute_bash", Input: `{"command":"ls && echo ünïcode"}`},
			{ID: "toolu_c", Name: "fs_write", Input: `{"path": "x", "content": `},
			{ID: "toolu_d", Name: "introspect", Input: ``},
		},
	})
	defer s.Close()
	var evs []model.Event
	resp, err := newClient(t, s.URL).Stream(context.Background(), hi(), collect(&evs))
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
	want := []string{"text:Let me look.", "tool:fs_read:toolu_a", "tool:execute_bash:toolu_b", "tool:fs_write:toolu_c", "tool:introspect:toolu_d"}
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
		{`{"path":"/etc/hosts"}`, ""},
		{`{"command":"ls && echo ünïcode"}`, ""},
		{`{}`, `{"path": "x", "content": `},
		{`{}`, ""},
	}
	for i, c := range cases {
		if string(uses[i].Input) != c.input || uses[i].RawInput != c.raw {
			t.Errorf("tool %d: input %s raw %q, want %s raw %q", i, uses[i].Input, uses[i].RawInput, c.input, c.raw)
		}
	}
}

func TestUsageEstimatedWhenAbsent(t *testing.T) {
	s := modeltest.NewAnthropic(modeltest.Turn{Text: []string{strings.Repeat("x", 400)}})
	defer s.Close()
	req := hi()
	req.System = strings.Repeat("s", 800)
	resp, err := newClient(t, s.URL).Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u := resp.Usage; !u.Estimated || u.OutputTokens != 100 || u.InputTokens != 201 {
		t.Errorf("usage = %+v, want estimated 201 in / 100 out", u)
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
		{"overloaded", modeltest.Turn{Status: 529}, model.KindServer, 529, ""},
		{"server", modeltest.Turn{Status: 500}, model.KindServer, 500, ""},
		{"unauthorized", modeltest.Turn{Status: 401}, model.KindAuth, 401, ""},
		{"forbidden", modeltest.Turn{Status: 403}, model.KindAuth, 403, ""},
		{"prompt too long", modeltest.Turn{Status: 400, ErrorBody: `{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}`}, model.KindContextOverflow, 400, "prompt is too long"},
		{"request too large", modeltest.Turn{Status: 413}, model.KindContextOverflow, 413, ""},
		{"plain text body", modeltest.Turn{Status: 502, ErrorBody: "<html>Bad Gateway</html>"}, model.KindServer, 502, "Bad Gateway"},
		{"bad request", modeltest.Turn{Status: 400, ErrorBody: `{"type":"error","error":{"type":"invalid_request_error","message":"model: not found"}}`}, model.KindOther, 400, "model: not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := modeltest.NewAnthropic(c.turn)
			defer s.Close()
			resp, err := newClient(t, s.URL).Stream(context.Background(), hi(), nil)
			var ae *model.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *model.APIError", err, err)
			}
			if ae.Kind != c.kind || ae.Status != c.status || ae.Provider != "anthropic" {
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

// TestErrorEventInStream covers the API's way of failing after the 200:
// an "error" event, here an overload before any output.
func TestErrorEventInStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n")
		fmt.Fprint(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL).Stream(context.Background(), hi(), nil)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindServer || !strings.Contains(ae.Message, "Overloaded") {
		t.Fatalf("err = %v, want a KindServer overload", err)
	}
}

func TestStreamBrokenReturnsPartialText(t *testing.T) {
	s := modeltest.NewAnthropic(modeltest.Turn{
		Text:       []string{"one ", "two ", "three"},
		ToolCalls:  []modeltest.ToolCall{{ID: "t1", Name: "fs_read", Input: `{}`}},
		BreakAfter: 2,
	})
	defer s.Close()
	var evs []model.Event
	resp, err := newClient(t, s.URL).Stream(context.Background(), hi(), collect(&evs))
	if model.KindOf(err) != model.KindStreamBroken {
		t.Fatalf("err = %v, want KindStreamBroken", err)
	}
	if resp == nil || resp.Message.Text() != "one two " || len(resp.Message.ToolUses()) != 0 {
		t.Fatalf("partial = %+v", resp)
	}
	if len(evs) != 2 {
		t.Errorf("events %+v", evs)
	}
}

func TestBreakBeforeOutputIsRetryable(t *testing.T) {
	s := modeltest.NewAnthropic(modeltest.Turn{BreakAfter: 1})
	defer s.Close()
	resp, err := newClient(t, s.URL).Stream(context.Background(), hi(), nil)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindServer || !strings.Contains(ae.Message, "before any output") {
		t.Fatalf("err = %v, want a retryable KindServer error", err)
	}
	if resp != nil {
		t.Errorf("response %+v without output", resp)
	}
}

func TestCancelDuringHang(t *testing.T) {
	s := modeltest.NewAnthropic(modeltest.Turn{Text: []string{"thinking..."}, Hang: true})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		resp *model.Response
		err  error
	}
	done := make(chan result, 1)
	c := newClient(t, s.URL)
	go func() {
		// Cancel as the first text arrives: the server then hangs, and
		// only the cancellation can end the call.
		resp, err := c.Stream(ctx, hi(), func(model.Event) { cancel() })
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

func TestRefusedNamesBaseURLSetting(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close()
	_, err = newClient(t, base).Stream(context.Background(), hi(), nil)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindNoServer {
		t.Fatalf("err = %v, want KindNoServer", err)
	}
	if !strings.Contains(ae.Error(), base) || !strings.HasSuffix(ae.Error(), "; start the server, or set ANTHROPIC_BASE_URL to its address") {
		t.Errorf("error %q does not name %s and ANTHROPIC_BASE_URL", ae.Error(), base)
	}
}
