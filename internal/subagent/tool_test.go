package subagent

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Bad calls are refused with one line the model can act on.
func TestPrepareRefusesBadCalls(t *testing.T) {
	tl := newTool(&fakeBuilder{}, allowAll{}, nil)
	five := `{"command":"InvokeSubagents","content":{"subagents":[{"query":"a"},{"query":"b"},{"query":"c"},{"query":"d"},{"query":"e"}]}}`
	for in, want := range map[string]string{
		`[]`:                            "must be an object",
		`{"command":"Launch"}`:          `not "Launch"`,
		`{"command":"InvokeSubagents"}`: "1 to 4 tasks, not 0",
		five:                            "1 to 4 tasks, not 5",
		`{"command":"InvokeSubagents","content":{"subagents":[{"query":"  "}]}}`:                        "subagents[0].query is empty",
		`{"command":"InvokeSubagents","content":{"subagents":[{"query":"a","agent_name":"deployer"}]}}`: `no agent named "deployer" (known: q_cli_default, reviewer, tester)`,
	} {
		_, err := tl.Prepare(nil, json.RawMessage(in))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

// Tasks get the default agent when they name none, labels tell two tasks
// of one agent apart, and the call's access names each agent once.
func TestPrepareLabelsAndAccess(t *testing.T) {
	tl := newTool(&fakeBuilder{}, allowAll{}, nil)
	in := `{"command":"InvokeSubagents","content":{"subagents":[
		{"query":"a","agent_name":"reviewer"},{"query":"b"},{"query":"c\nsecond line","agent_name":"reviewer","relevant_context":"ctx"}]}}`
	inv, err := tl.Prepare(nil, json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tk := range inv.(*invocation).tasks {
		labels = append(labels, tk.label)
	}
	if !slices.Equal(labels, []string{"reviewer", "q_cli_default", "reviewer#2"}) {
		t.Fatalf("labels %v", labels)
	}
	if acc := inv.Access(); !slices.Equal(acc.Agents, []string{"reviewer", "q_cli_default"}) || acc.AlwaysAllowed {
		t.Fatalf("access %+v", acc)
	}
	var b strings.Builder
	inv.Describe(&b, false)
	if b.String() != "Start 3 subagent(s):\n  reviewer: a\n  q_cli_default: b\n  reviewer#2: c second line\n" {
		t.Fatalf("describe %q", b.String())
	}
	if got := promptOf(inv.(*invocation).tasks[2].Task); got != "c\nsecond line\n\nContext from the agent that handed you this task:\nctx" {
		t.Fatalf("prompt %q", got)
	}
}

// ListAgents starts nothing, is always allowed, and lists only the agents
// the parent's permissions let start.
func TestListAgents(t *testing.T) {
	cwd := t.TempDir()
	pc, _, err := permission.New(permission.Config{Cwd: cwd, Home: cwd,
		ToolsSettings: map[string]json.RawMessage{"use_subagent": json.RawMessage(`{"availableAgents":["rev*"]}`)}}, permission.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tl := newTool(&fakeBuilder{}, &permission.Layered{Checker: pc}, nil)
	inv, err := tl.Prepare(nil, json.RawMessage(`{"command":"ListAgents"}`))
	if err != nil {
		t.Fatal(err)
	}
	if acc := inv.Access(); !acc.AlwaysAllowed || len(acc.Agents) != 0 {
		t.Fatalf("access %+v", acc)
	}
	res := inv.Run(context.Background(), nil)
	if text := resultText(res); res.IsError || text != "Agents a subagent can run as:\n- reviewer: the reviewer\n" {
		t.Fatalf("list: %v %q", res.IsError, text)
	}
	none, _, _ := permission.New(permission.Config{Cwd: cwd, Home: cwd,
		ToolsSettings: map[string]json.RawMessage{"use_subagent": json.RawMessage(`{"availableAgents":[]}`)}}, permission.Options{})
	tl = newTool(&fakeBuilder{}, &permission.Layered{Checker: none}, nil)
	inv, _ = tl.Prepare(nil, json.RawMessage(`{"command":"ListAgents"}`))
	if res := inv.Run(context.Background(), nil); !res.IsError {
		t.Fatalf("nothing available, yet: %s", resultText(res))
	}
}

// The spec is what the model sees: the name, and a schema that is valid
// JSON limiting a call to MaxParallel tasks.
func TestSpec(t *testing.T) {
	spec := (&Tool{}).Spec()
	var s struct {
		Properties struct {
			Content struct {
				Properties struct {
					Subagents struct {
						MaxItems int `json:"maxItems"`
					} `json:"subagents"`
				} `json:"properties"`
			} `json:"content"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(spec.InputSchema, &s); err != nil {
		t.Fatal(err)
	}
	if spec.Name != Name || s.Properties.Content.Properties.Subagents.MaxItems != MaxParallel {
		t.Fatalf("spec %s maxItems %d", spec.Name, s.Properties.Content.Properties.Subagents.MaxItems)
	}
	var _ tool.Tool = (*Tool)(nil)
}
