package calls

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Subagents record their calls in parallel: each outcome is paired with
// the intent of its own call, names its subagent, and the trail verifies.
func TestParallelSubagentAuditRecords(t *testing.T) {
	trail, dir := openTrail(t)
	conv := agent.NewConversation("openai/m", "orchestrator", dir)
	session := New(trail, func() *agent.Conversation { return conv }, "test", func(err error) { t.Error(err) })
	const subagents, calls = 4, 15
	var wg sync.WaitGroup
	for i := range subagents {
		label := fmt.Sprintf("sub%d", i)
		rec := session.Subagent(label)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range calls {
				c := &agent.Call{ID: fmt.Sprint(k), Name: "execute_bash", Input: json.RawMessage(fmt.Sprintf(`{"command":"echo %s-%d"}`, label, k)),
					Decision: permission.Decision{Kind: permission.Allow}, Approval: agent.AllowedByRule}
				if err := rec.Ready(c); err != nil {
					t.Error(err)
					return
				}
				rec.Done(c, tool.Result{Duration: time.Millisecond})
			}
		}()
	}
	wg.Wait()
	session.Flush()
	if err := trail.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := audit.Lookup(dir, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	intents := map[string]string{} // eventID -> subagent and input
	for _, r := range recs {
		if r.Phase == audit.PhaseIntent {
			intents[r.EventID] = r.Subagent + string(r.RequestParameters)
		}
	}
	outcomes := 0
	for _, r := range recs {
		if r.Phase != audit.PhaseOutcome {
			continue
		}
		outcomes++
		if got, want := intents[r.IntentID], r.Subagent+string(r.RequestParameters); got != want || r.Agent != "orchestrator" {
			t.Fatalf("outcome of %s paired with the intent of %s (agent %s)", want, got, r.Agent)
		}
	}
	if outcomes != subagents*calls || len(intents) != subagents*calls {
		t.Fatalf("%d intents, %d outcomes, want %d each", len(intents), outcomes, subagents*calls)
	}
	if rep := audit.Verify(dir, time.Time{}, time.Time{}); !rep.OK() {
		t.Fatalf("verify: %+v", rep.Problems)
	}
}
