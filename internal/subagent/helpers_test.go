package subagent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// step is one scripted model answer.
type step func(ctx context.Context, req *model.Request, on func(model.Event)) (*model.Response, error)

// script is an in-process model that answers with its steps in order.
type script struct {
	mu    sync.Mutex
	steps []step
	reqs  []*model.Request
}

func (s *script) Name() string { return "script" }

func (s *script) Stream(ctx context.Context, req *model.Request, on func(model.Event)) (*model.Response, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	if len(s.steps) == 0 {
		s.mu.Unlock()
		return nil, errors.New("script exhausted")
	}
	f := s.steps[0]
	s.steps = s.steps[1:]
	s.mu.Unlock()
	return f(ctx, req, on)
}

func (s *script) requests() []*model.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*model.Request(nil), s.reqs...)
}

func say(text string) step {
	return func(_ context.Context, _ *model.Request, on func(model.Event)) (*model.Response, error) {
		on(model.Event{Type: model.EventText, Text: text})
		return &model.Response{Message: model.Message{Role: model.Assistant, Content: []model.Block{{Type: model.TextBlock, Text: text}}},
			StopReason: model.StopEndTurn}, nil
	}
}

func use(id, name, input string) step {
	return func(context.Context, *model.Request, func(model.Event)) (*model.Response, error) {
		return &model.Response{Message: model.Message{Role: model.Assistant, Content: []model.Block{model.ToolUse(id, name, input)}},
			StopReason: model.StopToolUse}, nil
	}
}

// hang waits until the request is cancelled, after closing started.
func hang(started chan<- struct{}) step {
	return func(ctx context.Context, _ *model.Request, _ func(model.Event)) (*model.Response, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

// echoTool returns its "text"; its calls are judged as execute_bash runs
// of that text, so permission rules apply to them.
type echoTool struct{}

func (echoTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "execute_bash", Description: "echo", InputSchema: json.RawMessage(`{"type":"object"}`)}
}

func (echoTool) Prepare(_ *tool.Env, input json.RawMessage) (tool.Invocation, error) {
	var in struct{ Command string }
	if err := json.Unmarshal(input, &in); err != nil || in.Command == "" {
		return nil, errors.New("command is required")
	}
	return echoInv(in.Command), nil
}

type echoInv string

func (i echoInv) Access() tool.Access          { return tool.Access{Command: string(i)} }
func (i echoInv) Describe(w io.Writer, _ bool) { _, _ = io.WriteString(w, string(i)) }
func (i echoInv) Run(context.Context, io.Writer) tool.Result {
	return tool.TextResult("ran " + string(i))
}

// fakeBuilder builds children whose models follow scripts, by agent name;
// each child's own layer is own (Allow everything when nil).
type fakeBuilder struct {
	mu      sync.Mutex
	scripts map[string][]*script // taken in order, per agent
	own     func(name string) agent.Permissions
	built   []string // labels, in build order
	closed  int
	fail    map[string]error
}

func (b *fakeBuilder) Agents() []Info {
	var out []Info
	for _, n := range []string{"q_cli_default", "reviewer", "tester"} {
		out = append(out, Info{Name: n, Description: "the " + n})
	}
	return out
}

func (b *fakeBuilder) Child(_ context.Context, name, label string) (*Child, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.fail[name]; err != nil {
		return nil, err
	}
	list := b.scripts[name]
	if len(list) == 0 {
		return nil, errors.New("no script for " + name)
	}
	sc := list[0]
	b.scripts[name] = list[1:]
	b.built = append(b.built, label)
	var own agent.Permissions = allowAll{}
	if b.own != nil {
		own = b.own(name)
	}
	a := agent.New(agent.Options{Kit: agent.Kit{Tools: []tool.Tool{echoTool{}}}, Provider: sc, ModelID: "m",
		Env: &tool.Env{Cwd: "/"}, Window: 100_000, Conv: agent.NewConversation("script/m", name, "/")})
	return &Child{Agent: a, Own: own, Close: func() {
		b.mu.Lock()
		b.closed++
		b.mu.Unlock()
	}}, nil
}

// allowAll is a permission layer that allows everything and trusts all.
type allowAll struct{}

func (allowAll) Decide(string, string, tool.Access) permission.Decision {
	return permission.Decision{Kind: permission.Allow, Rule: "test"}
}
func (allowAll) Trust(...string) error { return nil }

// fixed decides every call the same way.
type fixed struct {
	kind    permission.Kind
	trusted []string
	mu      sync.Mutex
}

func (f *fixed) Decide(string, string, tool.Access) permission.Decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	return permission.Decision{Kind: f.kind, Rule: "fixed"}
}
func (f *fixed) Trust(names ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trusted = append(f.trusted, names...)
	return nil
}

// syncBuffer is a bytes.Buffer safe for the writers of parallel subagents.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTool returns the tool with a parent agent judged by parent.
func newTool(b Builder, parent agent.Permissions, approve agent.Approver) *Tool {
	return New(b, agent.New(agent.Options{Kit: agent.Kit{Permissions: parent}, Approve: approve}))
}

// invokeInput is an InvokeSubagents input for (agent, query) pairs.
func invokeInput(t *testing.T, pairs ...string) json.RawMessage {
	t.Helper()
	var in input
	in.Command = CommandInvoke
	for i := 0; i+1 < len(pairs); i += 2 {
		in.Content.Subagents = append(in.Content.Subagents, Task{AgentName: pairs[i], Query: pairs[i+1]})
	}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// runTool prepares and runs the tool with input, failing on a bad input.
func runTool(t *testing.T, ctx context.Context, tl *Tool, raw json.RawMessage, out io.Writer) tool.Result {
	t.Helper()
	inv, err := tl.Prepare(&tool.Env{Cwd: "/"}, raw)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan tool.Result, 1)
	go func() { done <- inv.Run(ctx, out) }()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("the subagents did not finish")
	}
	return tool.Result{}
}

func resultText(r tool.Result) string {
	s := ""
	for _, b := range r.Content {
		s += b.Text
	}
	return s
}
