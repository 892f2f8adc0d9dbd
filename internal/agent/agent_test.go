package agent

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// scripted is an in-process provider that replays responses and records requests.
type scripted struct {
	responses []func(onEvent func(model.Event)) (*model.Response, error)
	requests  []*model.Request
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Stream(ctx context.Context, req *model.Request, onEvent func(model.Event)) (*model.Response, error) {
	s.requests = append(s.requests, req)
	if len(s.responses) == 0 {
		return nil, errors.New("script exhausted")
	}
	f := s.responses[0]
	s.responses = s.responses[1:]
	return f(onEvent)
}

func say(text string) func(func(model.Event)) (*model.Response, error) {
	return func(on func(model.Event)) (*model.Response, error) {
		on(model.Event{Type: model.EventText, Text: text})
		return &model.Response{Message: model.Message{Role: model.Assistant, Content: []model.Block{{Type: model.TextBlock, Text: text}}},
			StopReason: model.StopEndTurn, Usage: model.Usage{InputTokens: 10, OutputTokens: 5}}, nil
	}
}

func use(calls ...model.Block) func(func(model.Event)) (*model.Response, error) {
	return func(func(model.Event)) (*model.Response, error) {
		return &model.Response{Message: model.Message{Role: model.Assistant, Content: calls}, StopReason: model.StopToolUse}, nil
	}
}

func call(id, name, input string) model.Block { return model.ToolUse(id, name, input) }

// echoTool returns its "text" input; it records runs.
type echoTool struct{ runs int }

func (e *echoTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "echo", Description: "echo", InputSchema: json.RawMessage(`{"type":"object"}`)}
}

func (e *echoTool) Prepare(_ *tool.Env, input json.RawMessage) (tool.Invocation, error) {
	var in struct{ Text string }
	if err := json.Unmarshal(input, &in); err != nil || in.Text == "" {
		return nil, errors.New("text is required")
	}
	return &echoInv{e: e, text: in.Text}, nil
}

type echoInv struct {
	e    *echoTool
	text string
}

func (i *echoInv) Access() tool.Access              { return tool.Access{} }
func (i *echoInv) Describe(w io.Writer, color bool) { io.WriteString(w, "echo "+i.text) }
func (i *echoInv) Run(ctx context.Context, out io.Writer) tool.Result {
	i.e.runs++
	return tool.TextResult(i.text)
}

type fixedPerms struct {
	kind    permission.Kind
	trusted []string
	// refuseTrust, when set, is what Trust returns.
	refuseTrust error
}

func (f *fixedPerms) Decide(string, string, tool.Access) permission.Decision {
	return permission.Decision{Kind: f.kind, Rule: "test rule"}
}
func (f *fixedPerms) Trust(names ...string) error {
	if f.refuseTrust != nil {
		return f.refuseTrust
	}
	f.trusted = append(f.trusted, names...)
	return nil
}

func newAgent(p *scripted, perms Permissions, approve Approver) (*Agent, *echoTool) {
	et := &echoTool{}
	return New(Options{
		Kit:      Kit{Tools: []tool.Tool{et}, Permissions: perms},
		Provider: p, ModelID: "m", Env: &tool.Env{Cwd: "/"}, Window: 100_000,
		Conv:    NewConversation("test/m", "", "/"),
		Approve: approve,
	}), et
}

func prompt(s string) []model.Block { return []model.Block{{Type: model.TextBlock, Text: s}} }

func lastResult(t *testing.T, req *model.Request) model.Block {
	t.Helper()
	m := req.Messages[len(req.Messages)-1]
	for _, b := range m.Content {
		if b.Type == model.ToolResultBlock {
			return b
		}
	}
	t.Fatalf("last message has no tool result: %+v", m)
	return model.Block{}
}

func TestTurnRunsSeveralToolCallsAndLoops(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		use(call("1", "echo", `{"text":"a"}`), call("2", "echo", `{"text":"b"}`)),
		say("done"),
	}}
	a, et := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	if err := a.Turn(context.Background(), prompt("hi")); err != nil {
		t.Fatal(err)
	}
	if et.runs != 2 {
		t.Fatalf("runs = %d, want 2", et.runs)
	}
	second := p.requests[1].Messages
	results := second[len(second)-1].Content
	if len(results) != 2 || results[0].Content[0].Text != "a" || results[1].Content[0].Text != "b" {
		t.Fatalf("results = %+v", results)
	}
	if got := a.o.Conv.Messages[len(a.o.Conv.Messages)-1].Text(); got != "done" {
		t.Fatalf("last message %q", got)
	}
}

func TestBrokenJSONAndUnknownToolBecomeErrorResults(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		use(call("1", "echo", `{"text": "a"`)),
		use(call("2", "nope", `{}`)),
		use(call("3", "echo", `{}`)),
		say("ok"),
	}}
	a, et := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	if err := a.Turn(context.Background(), prompt("hi")); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"not valid JSON", `No tool with "nope"`, "text is required"} {
		r := lastResult(t, p.requests[i+1])
		if !r.IsError || !strings.Contains(r.Content[0].Text, want) {
			t.Errorf("request %d result = %+v, want error containing %q", i+1, r, want)
		}
	}
	if et.runs != 0 {
		t.Fatalf("tool ran %d times", et.runs)
	}
}

func TestDenyAskAndTrust(t *testing.T) {
	cases := []struct {
		name     string
		kind     permission.Kind
		answer   Answer
		wantRuns int
		wantText string
	}{
		{"deny rule", permission.Deny, AllowOnce, 0, "rejected: test rule"},
		{"user says no", permission.Ask, Deny, 0, "denied this tool call"},
		{"user says yes", permission.Ask, AllowOnce, 1, "x"},
		{"user trusts", permission.Ask, TrustSession, 1, "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){use(call("1", "echo", `{"text":"x"}`)), say("ok")}}
			perms := &fixedPerms{kind: tc.kind}
			asked := 0
			a, et := newAgent(p, perms, func(context.Context, *Call) (Answer, error) { asked++; return tc.answer, nil })
			if err := a.Turn(context.Background(), prompt("hi")); err != nil {
				t.Fatal(err)
			}
			if et.runs != tc.wantRuns {
				t.Fatalf("runs = %d, want %d", et.runs, tc.wantRuns)
			}
			if tc.kind != permission.Ask && asked != 0 {
				t.Fatal("asked although the decision was not Ask")
			}
			if r := lastResult(t, p.requests[1]); !strings.Contains(r.Content[0].Text, tc.wantText) {
				t.Fatalf("result %q, want %q", r.Content[0].Text, tc.wantText)
			}
			if tc.answer == TrustSession && (len(perms.trusted) != 1 || perms.trusted[0] != "echo") {
				t.Fatalf("trusted = %v", perms.trusted)
			}
		})
	}
}

// A "t" answer whose session trust is refused (disableTrustAll) still
// approves the call it answered: it runs once, and the next call asks again.
func TestRefusedTrustRunsOnce(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		use(call("1", "echo", `{"text":"x"}`)), use(call("2", "echo", `{"text":"y"}`)), say("ok"),
	}}
	perms := &fixedPerms{kind: permission.Ask, refuseTrust: errors.New("blocked by organisation policy: disableTrustAll")}
	asked := 0
	var approvals []Approval
	a, et := newAgent(p, perms, func(context.Context, *Call) (Answer, error) { asked++; return TrustSession, nil })
	a.o.Audit = func(c *Call, _ tool.Result) { approvals = append(approvals, c.Approval) }
	if err := a.Turn(context.Background(), prompt("hi")); err != nil {
		t.Fatal(err)
	}
	if et.runs != 2 || asked != 2 {
		t.Fatalf("runs = %d, asked = %d; want 2 and 2", et.runs, asked)
	}
	if len(approvals) != 2 || approvals[0] != AllowedOnce || approvals[1] != AllowedOnce {
		t.Fatalf("approvals = %v, want allowed once twice", approvals)
	}
}

func TestApproverErrorEndsTurnButAnswersEveryCall(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		use(call("1", "echo", `{"text":"x"}`), call("2", "echo", `{"text":"y"}`)),
	}}
	refuse := errors.New("no user")
	a, _ := newAgent(p, &fixedPerms{kind: permission.Ask}, func(context.Context, *Call) (Answer, error) { return Deny, refuse })
	if err := a.Turn(context.Background(), prompt("hi")); !errors.Is(err, refuse) {
		t.Fatalf("err = %v", err)
	}
	last := a.o.Conv.Messages[len(a.o.Conv.Messages)-1]
	if len(last.Content) != 2 || !last.Content[0].IsError || !last.Content[1].IsError {
		t.Fatalf("calls not all answered: %+v", last)
	}
}

func TestStreamFailureKeepsPartialAnswer(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		func(on func(model.Event)) (*model.Response, error) {
			on(model.Event{Type: model.EventText, Text: "half an ans"})
			return &model.Response{Message: model.Message{Role: model.Assistant, Content: []model.Block{{Type: model.TextBlock, Text: "half an ans"}}}},
				&model.APIError{Provider: "x", Kind: model.KindStreamBroken, Message: "connection reset"}
		},
		say("second"),
	}}
	a, _ := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	if err := a.Turn(context.Background(), prompt("hi")); model.KindOf(err) != model.KindStreamBroken {
		t.Fatalf("err = %v", err)
	}
	if got := a.o.Conv.Messages[1].Text(); !strings.HasPrefix(got, "half an ans") {
		t.Fatalf("partial answer lost: %q", got)
	}
	if err := a.Turn(context.Background(), prompt("again")); err != nil {
		t.Fatal(err)
	}
	if n := len(p.requests[1].Messages); n != 3 {
		t.Fatalf("second request has %d messages, want 3 (user, partial, user)", n)
	}
}

func TestAutoCompactionBeforeOverflow(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		say("first answer"), say("SUMMARY: user said hi"), say("after compaction"),
	}}
	a, _ := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	a.o.Window, a.o.AutoCompactPercent = 2000, 50
	if err := a.Turn(context.Background(), prompt("hi")); err != nil {
		t.Fatal(err)
	}
	a.o.Conv.LastInput = 1500 // the provider reported a large context
	if err := a.Turn(context.Background(), prompt("next")); err != nil {
		t.Fatal(err)
	}
	sumReq := p.requests[1]
	if !strings.Contains(sumReq.Messages[len(sumReq.Messages)-1].Text(), "automated summarization request") {
		t.Fatalf("second request is not a summary request")
	}
	final := p.requests[2]
	if !strings.Contains(final.System, "SUMMARY: user said hi") || len(final.Messages) != 1 || final.Messages[0].Text() != "next" {
		t.Fatalf("after compaction: system=%q messages=%+v", final.System, final.Messages)
	}
	// The summary was a model call too: /usage counts it, with its tokens.
	if a.o.Conv.Turns != len(p.requests) || a.o.Conv.Usage.InputTokens == 0 {
		t.Errorf("counted %d model calls (usage %+v), made %d", a.o.Conv.Turns, a.o.Conv.Usage, len(p.requests))
	}
}

func TestRepairPairsAnswersOrphans(t *testing.T) {
	msgs := []model.Message{
		{Role: model.User, Content: prompt("hi")},
		{Role: model.Assistant, Content: []model.Block{call("1", "echo", `{}`)}},
		{Role: model.User, Content: prompt("next")},
	}
	got := normalize(repairPairs(msgs))
	if len(got) != 3 {
		t.Fatalf("got %d messages", len(got))
	}
	if b := got[2].Content[0]; b.Type != model.ToolResultBlock || b.ToolUseID != "1" || !b.IsError {
		t.Fatalf("orphan not answered first: %+v", got[2].Content)
	}
	if got[2].Content[1].Text != "next" {
		t.Fatalf("prompt lost: %+v", got[2].Content)
	}
}

// interruptingTool reports that the user stopped it although the turn's
// context is still live (Ctrl-C at a question a subagent asked).
type interruptingTool struct{ echoTool }

func (*interruptingTool) Prepare(*tool.Env, json.RawMessage) (tool.Invocation, error) {
	return &interruptingInv{}, nil
}

type interruptingInv struct{ echoInv }

func (*interruptingInv) Run(context.Context, io.Writer) tool.Result {
	return tool.Result{Interrupted: true, Content: []model.Block{{Type: model.TextBlock, Text: "partial"}}}
}

func TestInterruptedResultEndsTheTurn(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){
		use(call("1", "echo", `{}`), call("2", "echo", `{}`)), say("never"),
	}}
	a, _ := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	kit := a.Kit()
	kit.Tools = []tool.Tool{&interruptingTool{}}
	a.Equip(kit)
	if err := a.Turn(context.Background(), prompt("hi")); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("turn ended with %v, want interrupted", err)
	}
	if len(p.requests) != 1 {
		t.Fatalf("%d model requests after the interruption", len(p.requests))
	}
	msgs := a.Conversation().Messages
	last := msgs[len(msgs)-1].Content
	if len(last) != 2 || !strings.Contains(last[0].Content[0].Text, "interrupted") || !strings.Contains(last[1].Content[0].Text, "Not run") {
		t.Fatalf("results %+v", last)
	}
}
