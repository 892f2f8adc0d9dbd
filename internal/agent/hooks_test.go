package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

type recordingHooks struct {
	block        bool
	pre, post    []string
	stops        int
	promptsSeen  []string
	extraContext string
	// stopReasons are what successive stop hooks answer ("" lets it end).
	stopReasons []string
	stopEvents  []StopEvent
}

func (h *recordingHooks) UserPromptSubmit(_ context.Context, p string) string {
	h.promptsSeen = append(h.promptsSeen, p)
	return h.extraContext
}
func (h *recordingHooks) PreToolUse(_ context.Context, c *HookCall) (bool, string) {
	h.pre = append(h.pre, c.Name+string(c.Input))
	return h.block, "policy says no"
}
func (h *recordingHooks) PostToolUse(_ context.Context, c *HookCall, r tool.Result) {
	h.post = append(h.post, c.Name)
}
func (h *recordingHooks) Stop(_ context.Context, e StopEvent) (bool, string) {
	h.stops++
	h.stopEvents = append(h.stopEvents, e)
	if len(h.stopReasons) == 0 {
		return false, ""
	}
	r := h.stopReasons[0]
	h.stopReasons = h.stopReasons[1:]
	return r != "", r
}

// TestStopHookKeepsTheTurnGoing: a blocking stop hook's reason becomes the
// next instruction; the hook learns the session and the last answer, and
// one that always blocks cannot keep the turn going forever.
func TestStopHookKeepsTheTurnGoing(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){say("done?"), say("now done")}}
	h := &recordingHooks{stopReasons: []string{"you forgot the tests", ""}}
	a, _ := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	a.o.Hooks = h
	if err := a.Turn(context.Background(), prompt("fix it")); err != nil {
		t.Fatal(err)
	}
	if len(p.requests) != 2 || p.requests[1].Messages[len(p.requests[1].Messages)-1].Text() != "you forgot the tests" {
		t.Fatalf("the stop hook's reason was not sent: %d requests", len(p.requests))
	}
	if e := h.stopEvents; len(e) != 2 || e[0] != (StopEvent{SessionID: a.o.Conv.ID, LastResponse: "done?"}) || !e[1].Continuing || e[1].LastResponse != "now done" {
		t.Fatalf("stop events %+v", e)
	}

	responses := make([]func(func(model.Event)) (*model.Response, error), 0, maxStopContinuations+1)
	reasons := make([]string, 0, maxStopContinuations+5)
	for range maxStopContinuations + 5 {
		responses = append(responses, say("again"))
		reasons = append(reasons, "keep going")
	}
	p = &scripted{responses: responses}
	a, _ = newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	a.o.Hooks = &recordingHooks{stopReasons: reasons}
	if err := a.Turn(context.Background(), prompt("go")); err != nil {
		t.Fatal(err)
	}
	if len(p.requests) != maxStopContinuations+1 {
		t.Fatalf("%d model calls; an always-blocking stop hook must be cut off after %d continuations", len(p.requests), maxStopContinuations)
	}
}

func TestHooksRunAtTheirPoints(t *testing.T) {
	for _, block := range []bool{false, true} {
		p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){use(call("1", "echo", `{"text":"x"}`)), say("ok")}}
		h := &recordingHooks{block: block, extraContext: "branch: main"}
		a, et := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
		a.o.Hooks = h
		if err := a.Turn(context.Background(), prompt("hi")); err != nil {
			t.Fatal(err)
		}
		if len(h.promptsSeen) != 1 || h.promptsSeen[0] != "hi" {
			t.Fatalf("userPromptSubmit saw %v", h.promptsSeen)
		}
		first := p.requests[0].Messages[0]
		if len(first.Content) != 2 || !strings.Contains(first.Content[1].Text, "branch: main") {
			t.Fatalf("hook context not in the prompt: %+v", first.Content)
		}
		if len(h.pre) != 1 || h.pre[0] != `echo{"text":"x"}` || h.stops != 1 {
			t.Fatalf("pre=%v stops=%d", h.pre, h.stops)
		}
		r := lastResult(t, p.requests[1])
		if block {
			if et.runs != 0 || len(h.post) != 0 || !strings.Contains(r.Content[0].Text, "PreToolHook blocked the tool execution: policy says no") {
				t.Fatalf("blocked: runs=%d post=%v result=%q", et.runs, h.post, r.Content[0].Text)
			}
		} else if et.runs != 1 || len(h.post) != 1 {
			t.Fatalf("runs=%d post=%v", et.runs, h.post)
		}
	}
}

func TestAuditReadyFailureRefusesTheCall(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){use(call("1", "echo", `{"text":"x"}`)), say("ok")}}
	a, et := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	a.o.AuditReady = func(*Call) error { return errors.New("audit trail /var/log/qdev: disk full") }
	var audited []string
	a.o.Audit = func(c *Call, r tool.Result) { audited = append(audited, c.Name) }
	if err := a.Turn(context.Background(), prompt("hi")); err != nil {
		t.Fatal(err)
	}
	if et.runs != 0 {
		t.Fatal("the call ran although it could not be recorded")
	}
	if r := lastResult(t, p.requests[1]); !strings.Contains(r.Content[0].Text, "disk full") {
		t.Fatalf("result %q", r.Content[0].Text)
	}
	if len(audited) != 1 {
		t.Fatalf("audited %v", audited)
	}
}

func TestIntentIsRecordedBeforeTheCallRunsAndOutcomeAfter(t *testing.T) {
	p := &scripted{responses: []func(func(model.Event)) (*model.Response, error){use(call("1", "echo", `{"text":"x"}`)), say("ok")}}
	a, et := newAgent(p, &fixedPerms{kind: permission.Allow}, nil)
	var events []string
	a.o.AuditReady = func(c *Call) error {
		events = append(events, fmt.Sprintf("intent %s runs=%d approval=%s", c.Name, et.runs, c.Approval))
		return nil
	}
	a.o.Audit = func(c *Call, r tool.Result) {
		events = append(events, fmt.Sprintf("outcome %s runs=%d", c.Name, et.runs))
	}
	if err := a.Turn(context.Background(), prompt("hi")); err != nil {
		t.Fatal(err)
	}
	want := []string{"intent echo runs=0 approval=" + AllowedByRule.String(), "outcome echo runs=1"}
	if !slices.Equal(events, want) {
		t.Fatalf("audit events %q, want %q", events, want)
	}
}
