package calls

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// inv is an invocation with a fixed access.
type inv struct{ acc tool.Access }

func (i inv) Access() tool.Access                        { return i.acc }
func (i inv) Describe(io.Writer, bool)                   {}
func (i inv) Run(context.Context, io.Writer) tool.Result { return tool.TextResult("") }

func TestRecordFromTypedDecision(t *testing.T) {
	rule := func(l permission.Layer) permission.Decision {
		return permission.Decision{Layer: l, Rule: "the rule", Source: "/a/agent.json"}
	}
	cases := []struct {
		approval              agent.Approval
		decision              permission.Decision
		wantDecision, wantAns string
		wantLayer             string
	}{
		{agent.AllowedOnce, rule(permission.LayerDefault), "ask", "y", "user"},
		{agent.TrustedForSession, rule(permission.LayerDefault), "ask", "t", "user"},
		{agent.DeniedByUser, rule(permission.LayerManaged), "ask", "n", "user"},
		{agent.NotApproved, rule(permission.LayerDefault), "ask", "", "user"},
		{agent.BlockedByHook, permission.Decision{}, "deny", "", "hook"},
		{agent.AllowedByRule, rule(permission.LayerAgent), "allow", "", "agent"},
		{agent.AllowedByRule, rule(permission.LayerFlag), "allow", "", "session"},
		{agent.AllowedByRule, rule(""), "allow", "", "default"},
		{agent.DeniedByRule, rule(permission.LayerManaged), "deny", "", "managed"},
		{agent.DeniedByRule, rule(permission.LayerIAMPolicy), "deny", "", "iam-policy"},
		{agent.Unjudged, permission.Decision{}, "deny", "", "validation"},
	}
	conv := &agent.Conversation{ID: "c1", Agent: "dev", Model: "openai/m"}
	for _, tc := range cases {
		c := &agent.Call{Name: "fs_write", Approval: tc.approval, Decision: tc.decision}
		rec := Record(c, conv, "1.2.3")
		if rec.Decision != tc.wantDecision || rec.UserAnswer != tc.wantAns || rec.Layer != tc.wantLayer {
			t.Errorf("%v/%q: got %s %q %s, want %s %q %s", tc.approval, tc.decision.Layer,
				rec.Decision, rec.UserAnswer, rec.Layer, tc.wantDecision, tc.wantAns, tc.wantLayer)
		}
		if rec.Rule != tc.decision.Rule || rec.RuleSource != tc.decision.Source {
			t.Errorf("%v: rule %q from %q", tc.approval, rec.Rule, rec.RuleSource)
		}
		if rec.ConversationID != "c1" || rec.Agent != "dev" || rec.Model != "openai/m" || string(rec.RequestParameters) != "{}" {
			t.Errorf("session fields: %+v", rec)
		}
	}
}

func TestRecordOfAnAWSCall(t *testing.T) {
	c := &agent.Call{Name: "use_aws", Approval: agent.AllowedByRule,
		Inv: inv{tool.Access{AWSService: "s3", AWSOperation: "list-buckets", AWSRegion: "eu-west-1"}}}
	rec := Record(c, nil, "1.2.3")
	if rec.EventSource != "s3.amazonaws.com" || rec.EventName != "ListBuckets" || rec.AWSRegion != "eu-west-1" || !rec.ReadOnly {
		t.Errorf("AWS fields: source %q name %q region %q readOnly %v", rec.EventSource, rec.EventName, rec.AWSRegion, rec.ReadOnly)
	}
	c.Inv = inv{tool.Access{AWSService: "s3", AWSOperation: "delete-bucket"}}
	if Record(c, nil, "1").ReadOnly {
		t.Error("delete-bucket recorded as read-only")
	}
}

func openTrail(t *testing.T) (*audit.Trail, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "audit")
	tr, err := audit.Open(dir, audit.Options{AnchorFile: filepath.Join(t.TempDir(), "anchor.json")})
	if err != nil {
		t.Fatal(err)
	}
	return tr, dir
}

// records closes tr and returns what it holds, in the order written.
func records(t *testing.T, tr *audit.Trail, dir string) []audit.Record {
	t.Helper()
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := audit.Lookup(dir, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(recs) // oldest first
	return recs
}

// TestIntentThenOutcome: a call that runs has its intent on disk before it
// runs and its outcome after, linked; a refused call has one record.
func TestIntentThenOutcome(t *testing.T) {
	tr, dir := openTrail(t)
	conv := agent.NewConversation("openai/m", "dev", "/w")
	var warned []error
	r := New(tr, func() *agent.Conversation { return conv }, "1.2.3", func(err error) { warned = append(warned, err) })

	run := &agent.Call{Name: "execute_bash", Input: json.RawMessage(`{"command":"false"}`),
		Approval: agent.AllowedOnce, Inv: inv{tool.Access{Command: "false"}}}
	if err := r.Ready(run); err != nil {
		t.Fatal(err)
	}
	r.Done(run, tool.Result{IsError: true, ExitStatus: 1, Content: []model.Block{{Type: model.TextBlock, Text: "failed\nsecond line"}}})
	refused := &agent.Call{Name: "fs_write", Approval: agent.DeniedByRule,
		Decision: permission.Decision{Kind: permission.Deny, Layer: permission.LayerManaged, Rule: "deniedTools fs_write"}}
	r.Done(refused, tool.ErrorResult("denied"))
	r.Flush()

	recs := records(t, tr, dir)
	if len(recs) != 3 || len(warned) != 0 {
		t.Fatalf("%d records, warnings %v", len(recs), warned)
	}
	intent, outcome, only := recs[0], recs[1], recs[2]
	if intent.Phase != audit.PhaseIntent || outcome.Phase != audit.PhaseOutcome || outcome.IntentID != intent.EventID || intent.EventID == "" {
		t.Errorf("intent %s %s, outcome %s of %s", intent.Phase, intent.EventID, outcome.Phase, outcome.IntentID)
	}
	if outcome.ExitStatus == nil || *outcome.ExitStatus != 1 || outcome.ErrorCode != "ToolError" || outcome.ErrorMessage != "failed" {
		t.Errorf("outcome: status %v, %s %q", outcome.ExitStatus, outcome.ErrorCode, outcome.ErrorMessage)
	}
	if only.Phase != "" || only.Decision != "deny" || only.Layer != "managed" || only.ErrorCode != "AccessDenied" || only.ExitStatus != nil {
		t.Errorf("refused call: %+v", only)
	}
	if intent.ConversationID != conv.ID || intent.Agent != "dev" {
		t.Errorf("intent session: %q %q", intent.ConversationID, intent.Agent)
	}
}

func TestAction(t *testing.T) {
	tr, dir := openTrail(t)
	r := New(tr, func() *agent.Conversation { return nil }, "1", func(error) {})
	done, err := r.Action("checkpoint", "RestoreCheckpoint", map[string]any{"checkpoint": 3})
	if err != nil {
		t.Fatal(err)
	}
	done(nil, errors.New("no such checkpoint\nmore"))
	recs := records(t, tr, dir)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	in, out := recs[0], recs[1]
	if in.Tool != "checkpoint" || in.EventName != "RestoreCheckpoint" || string(in.RequestParameters) != `{"checkpoint":3}` || in.Phase != audit.PhaseIntent {
		t.Errorf("intent: %+v", in)
	}
	if out.IntentID != in.EventID || out.ErrorCode != "ActionFailed" || out.ErrorMessage != "no such checkpoint" {
		t.Errorf("outcome: %+v", out)
	}
}
