package subagent

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// At most limit calls run at once, and the limit is reached.
func TestParallelIsBounded(t *testing.T) {
	const n, limit = 10, 4
	var active, most atomic.Int32
	gate := make(chan struct{})
	done := make(chan struct{})
	go func() {
		parallel(context.Background(), n, limit, func(context.Context, int) {
			cur := active.Add(1)
			for {
				m := most.Load()
				if cur <= m || most.CompareAndSwap(m, cur) {
					break
				}
			}
			<-gate
			active.Add(-1)
		})
		close(done)
	}()
	for left := n; left > 0; left-- {
		want := int32(min(limit, left))
		waitFor(t, fmt.Sprintf("%d calls running", want), func() bool { return active.Load() == want })
		gate <- struct{}{}
	}
	<-done
	if most.Load() != limit {
		t.Fatalf("at most %d calls ran at once, want %d", most.Load(), limit)
	}
}

// The subagents of one call run at the same time, and their answers come
// back in the order of the tasks, labelled, whatever order they end in.
func TestInvokeRunsTogetherAndAnswersInOrder(t *testing.T) {
	reviewerAsked := make(chan struct{})
	b := &fakeBuilder{scripts: map[string][]*script{
		// The reviewer answers only once the tester has been asked: if the
		// two ran one after the other this would never finish.
		"reviewer": {{steps: []step{func(ctx context.Context, r *model.Request, on func(model.Event)) (*model.Response, error) {
			close(reviewerAsked)
			return say("the review")(ctx, r, on)
		}}}},
		"tester": {{steps: []step{func(ctx context.Context, r *model.Request, on func(model.Event)) (*model.Response, error) {
			select {
			case <-reviewerAsked:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return say("the tests")(ctx, r, on)
		}}}},
	}}
	out := &syncBuffer{}
	res := runTool(t, context.Background(), newTool(b, allowAll{}, nil), invokeInput(t, "tester", "test it", "reviewer", "review it"), out)
	text := resultText(res)
	if res.IsError || !regexp.MustCompile(`(?s)^## Subagent tester \(agent tester\): completed\nthe tests\n\n## Subagent reviewer \(agent reviewer\): completed\nthe review$`).MatchString(text) {
		t.Fatalf("result: %v\n%s", res.IsError, text)
	}
	if b.closed != 2 {
		t.Fatalf("%d children closed, want 2", b.closed)
	}
	for _, want := range []string{"[reviewer] the review\n", "[tester] the tests\n", "[tester] ✓ done\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Each subagent's answer and tool activity come out as whole lines under
// its label, however the parallel streams interleave; control characters
// are shown, not obeyed.
func TestOutputIsLabelledByLine(t *testing.T) {
	streamer := func(word string) *script {
		return &script{steps: []step{func(_ context.Context, _ *model.Request, on func(model.Event)) (*model.Response, error) {
			var full strings.Builder
			for i := range 50 {
				chunk := fmt.Sprintf("%s %d", word, i)
				if i%2 == 1 {
					chunk += "\n"
				} else {
					chunk += " "
				}
				on(model.Event{Type: model.EventText, Text: chunk})
				full.WriteString(chunk)
			}
			on(model.Event{Type: model.EventText, Text: "\x1b]0;owned\x07tail"})
			return &model.Response{Message: model.Message{Role: model.Assistant, Content: []model.Block{{Type: model.TextBlock, Text: full.String()}}},
				StopReason: model.StopEndTurn}, nil
		}}}
	}
	b := &fakeBuilder{scripts: map[string][]*script{"reviewer": {streamer("alpha")}, "tester": {streamer("beta")}}}
	out := &syncBuffer{}
	runTool(t, context.Background(), newTool(b, allowAll{}, nil), invokeInput(t, "reviewer", "a", "tester", "b"), out)
	line := regexp.MustCompile(`^\[(reviewer|tester)\] (.*)$`)
	counts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unlabelled line %q in\n%s", l, out)
		}
		want := map[string]string{"reviewer": "alpha", "tester": "beta"}[m[1]]
		other := map[string]string{"reviewer": "beta", "tester": "alpha"}[m[1]]
		if strings.Contains(m[2], other) {
			t.Fatalf("line %q mixes two subagents", l)
		}
		if strings.HasPrefix(m[2], want) {
			counts[m[1]]++
			if !regexp.MustCompile(`^` + want + ` \d+ ` + want + ` \d+$`).MatchString(m[2]) {
				t.Fatalf("line %q is not a whole line of the answer", l)
			}
		}
		if strings.Contains(m[2], "\x1b") || strings.Contains(m[2], "\x07") {
			t.Fatalf("control characters reached the screen: %q", l)
		}
	}
	if counts["reviewer"] != 25 || counts["tester"] != 25 {
		t.Fatalf("answer lines: %v\n%s", counts, out)
	}
	if !strings.Contains(out.String(), `[reviewer] \x1b]0;owned\x07tail`) {
		t.Fatalf("the unfinished last line with its escape made visible is missing:\n%s", out)
	}
}

// Ctrl-C (the turn's context ending) stops every subagent, the running
// and the waiting, and the call returns only once all have ended.
func TestCancelStopsAll(t *testing.T) {
	started := []chan struct{}{make(chan struct{}), make(chan struct{})}
	b := &fakeBuilder{scripts: map[string][]*script{
		"reviewer": {{steps: []step{hang(started[0])}}},
		"tester":   {{steps: []step{hang(started[1])}}},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	tl := newTool(b, allowAll{}, nil)
	done := make(chan string, 1)
	go func() {
		inv, err := tl.Prepare(nil, invokeInput(t, "reviewer", "a", "tester", "b"))
		if err != nil {
			done <- err.Error()
			return
		}
		done <- resultText(inv.Run(ctx, &syncBuffer{}))
	}()
	<-started[0]
	<-started[1]
	cancel()
	select {
	case text := <-done:
		if strings.Count(text, "interrupted by the user") != 2 {
			t.Fatalf("result: %s", text)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling did not stop the subagents")
	}
	if b.closed != 2 {
		t.Fatalf("%d of 2 children closed", b.closed)
	}
}

// Ctrl-C at one subagent's question, which the context does not show,
// stops the other subagents too and ends the parent's turn.
func TestCtrlCAtAQuestionStopsAll(t *testing.T) {
	hanging := make(chan struct{})
	b := &fakeBuilder{
		scripts: map[string][]*script{
			"reviewer": {{steps: []step{use("c1", "execute_bash", `{"command":"ls"}`), say("unreached")}}},
			"tester":   {{steps: []step{hang(hanging)}}},
		},
		own: func(string) agent.Permissions { return &fixed{kind: permission.Ask} },
	}
	approve := func(ctx context.Context, c *agent.Call) (agent.Answer, error) {
		<-hanging // the tester is running
		return agent.Deny, agent.ErrInterrupted
	}
	res := runTool(t, context.Background(), newTool(b, allowAll{}, approve), invokeInput(t, "reviewer", "a", "tester", "b"), &syncBuffer{})
	if !res.Interrupted || strings.Count(resultText(res), "interrupted by the user") != 2 {
		t.Fatalf("interrupted %v: %s", res.Interrupted, resultText(res))
	}
}

// Questions of parallel subagents come one at a time, each under a line
// naming the subagent and what it wants to run; what the others print
// meanwhile waits until the question is answered.
func TestQuestionsOneAtATime(t *testing.T) {
	scripts := map[string]*script{}
	for _, n := range []string{"reviewer", "tester", "q_cli_default"} {
		scripts[n] = &script{steps: []step{use("c1", "execute_bash", `{"command":"make test"}`), say("done")}}
	}
	b := &fakeBuilder{
		scripts: map[string][]*script{"reviewer": {scripts["reviewer"]}, "tester": {scripts["tester"]}, "q_cli_default": {scripts["q_cli_default"]}},
		own:     func(string) agent.Permissions { return &fixed{kind: permission.Ask} },
	}
	out := &syncBuffer{}
	var open, most atomic.Int32
	var asked []string // written by one question at a time, or the test fails anyway
	var mu sync.Mutex
	approve := func(ctx context.Context, c *agent.Call) (agent.Answer, error) {
		if n := open.Add(1); n > most.Load() {
			most.Store(n)
		}
		defer open.Add(-1)
		before := out.String()
		// Every subagent has its tool call from the model before the first
		// question is answered: unless held back, they would ask at once.
		deadline := time.Now().Add(10 * time.Second)
		for _, sc := range scripts {
			for len(sc.requests()) == 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
		if out.String() != before {
			return agent.Deny, errors.New("other output appeared while a question was open")
		}
		lines := strings.Split(strings.TrimSuffix(before, "\n"), "\n")
		mu.Lock()
		asked = append(asked, strings.Join(lines[len(lines)-2:], "|"))
		mu.Unlock()
		return agent.AllowOnce, nil
	}
	res := runTool(t, context.Background(), newTool(b, allowAll{}, approve), invokeInput(t, "reviewer", "a", "tester", "b", "", "c"), out)
	if res.IsError || strings.Contains(resultText(res), "failed") {
		t.Fatalf("result: %s", resultText(res))
	}
	if most.Load() != 1 || len(asked) != 3 {
		t.Fatalf("%d questions, at most %d open at once", len(asked), most.Load())
	}
	for _, label := range []string{"reviewer", "tester", "q_cli_default"} {
		want := "[" + label + "] asks to use execute_bash:|[" + label + "]   make test"
		found := false
		for _, a := range asked {
			found = found || a == want
		}
		if !found {
			t.Errorf("no question headed %q: %q", want, asked)
		}
	}
}

// In --no-interactive the parent's approver refuses with an error: the
// subagent that needed approval stops, the others finish, and the result
// says which is which.
func TestRefusedQuestionStopsOnlyThatSubagent(t *testing.T) {
	b := &fakeBuilder{
		scripts: map[string][]*script{
			"reviewer": {{steps: []step{use("c1", "execute_bash", `{"command":"rm -rf /"}`), say("unreached")}}},
			"tester":   {{steps: []step{say("tests pass")}}},
		},
		own: func(name string) agent.Permissions {
			if name == "reviewer" {
				return &fixed{kind: permission.Ask}
			}
			return allowAll{}
		},
	}
	refuse := func(context.Context, *agent.Call) (agent.Answer, error) {
		return agent.Deny, errors.New("tool approval required but --no-interactive was specified")
	}
	res := runTool(t, context.Background(), newTool(b, allowAll{}, refuse), invokeInput(t, "reviewer", "a", "tester", "b"), &syncBuffer{})
	text := resultText(res)
	if res.IsError || res.Interrupted || !strings.Contains(text, "## Subagent reviewer (agent reviewer): failed: tool approval required") ||
		!strings.Contains(text, "## Subagent tester (agent tester): completed\ntests pass") {
		t.Fatalf("result %v: %s", res.IsError, text)
	}
}

// A subagent that cannot be built is reported; when none can run, the
// result is an error.
func TestBuildFailures(t *testing.T) {
	b := &fakeBuilder{scripts: map[string][]*script{}, fail: map[string]error{"reviewer": errors.New("reviewer.json: invalid:\n/tools: bad")}}
	out := &syncBuffer{}
	res := runTool(t, context.Background(), newTool(b, allowAll{}, nil), invokeInput(t, "reviewer", "a"), out)
	if !res.IsError || !strings.Contains(resultText(res), "failed: reviewer.json: invalid") ||
		out.String() != "[reviewer] ✗ not started: reviewer.json: invalid:\n[reviewer] /tools: bad\n" {
		t.Fatalf("result %v: %s\n%s", res.IsError, resultText(res), out)
	}
	noParent := New(b, agent.New(agent.Options{}))
	if res := runTool(t, context.Background(), noParent, invokeInput(t, "reviewer", "a"), out); !res.IsError {
		t.Fatal("a parent without permissions ran subagents")
	}
}

// The parent's preToolUse hooks judge the subagents' calls too; its
// prompt and stop hooks do not run for them.
func TestParentToolHooksApply(t *testing.T) {
	sc := &script{steps: []step{use("c1", "execute_bash", `{"command":"curl x"}`), say("ok")}}
	b := &fakeBuilder{scripts: map[string][]*script{"tester": {sc}}}
	h := &blockingHooks{}
	tl := newTool(b, allowAll{}, nil)
	kit := tl.Parent.Kit()
	kit.Hooks = h
	tl.Parent.Equip(kit)
	runTool(t, context.Background(), tl, invokeInput(t, "tester", "a"), &syncBuffer{})
	reqs := sc.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	msgs := reqs[1].Messages
	last := msgs[len(msgs)-1].Content[0]
	if !last.IsError || !strings.Contains(last.Content[0].Text, "no network") {
		t.Fatalf("the hook did not block the call: %+v", last)
	}
	if h.prompts != 0 || h.stops != 0 {
		t.Fatalf("prompt hooks ran %d times, stop hooks %d", h.prompts, h.stops)
	}
}

type blockingHooks struct{ prompts, stops int }

func (h *blockingHooks) UserPromptSubmit(context.Context, string) string { h.prompts++; return "" }
func (h *blockingHooks) PreToolUse(_ context.Context, c *agent.HookCall) (bool, string) {
	return strings.Contains(string(c.Input), "curl"), "no network"
}
func (h *blockingHooks) PostToolUse(context.Context, *agent.HookCall, tool.Result) {}
func (h *blockingHooks) Stop(context.Context, agent.StopEvent) (bool, string) {
	h.stops++
	return true, "go on"
}
