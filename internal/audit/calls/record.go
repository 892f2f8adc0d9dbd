// Package calls puts what an agent session does on the audit trail: the
// intent of each tool call before it runs and its outcome after, the only
// record of a call that never ran, and actions the user asks q itself to
// take. Every record is built from typed values — the call's
// permission.Decision and agent.Approval — never from text read back.
package calls

import (
	"encoding/json"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Session says which session makes the calls; it is read at each record,
// so a /model or /agent switch shows from the next call on.
type Session func() *agent.Conversation

// Record describes call c of session conv for the audit trail: who asked,
// what, and how it was decided. version is q's, for the userAgent marker.
func Record(c *agent.Call, conv *agent.Conversation, version string) audit.Record {
	rec := audit.Record{
		UserIdentity:      audit.LocalIdentity(),
		UserAgent:         tool.Marker(version),
		RequestParameters: c.Input,
		Tool:              c.Name, Server: c.Server,
		Rule: c.Decision.Rule, RuleSource: c.Decision.Source,
	}
	if conv != nil {
		rec.ConversationID, rec.Agent, rec.Model = conv.ID, conv.Agent, conv.Model
	}
	if len(rec.RequestParameters) == 0 {
		rec.RequestParameters = json.RawMessage(`{}`)
	}
	rec.Decision, rec.UserAnswer, rec.Layer = decisionOf(c)
	if c.Inv != nil {
		acc := c.Inv.Access()
		if acc.AWSService != "" {
			rec.EventSource = audit.AWSEventSource(acc.AWSService)
			rec.EventName = audit.AWSEventName(acc.AWSOperation)
			rec.AWSRegion = acc.AWSRegion
			rec.ReadOnly = permission.IsReadOnlyAWSOperation(acc.AWSOperation)
		} else {
			rec.ReadOnly = c.Name == "fs_read" || acc.AlwaysAllowed
		}
	}
	return rec
}

// Outcome completes rec, the record of call c, with how the call ended.
func Outcome(rec *audit.Record, c *agent.Call, r tool.Result) {
	rec.DurationMs, rec.OutputBytes = r.Duration.Milliseconds(), r.OutputBytes
	if c.Inv != nil && c.Approval.Ran() {
		acc := c.Inv.Access()
		if acc.Command != "" || acc.AWSService != "" {
			status := r.ExitStatus
			rec.ExitStatus = &status
		}
	}
	if r.IsError && len(r.Content) > 0 {
		rec.ErrorCode = "ToolError"
		if rec.Decision == "deny" {
			rec.ErrorCode = "AccessDenied"
		}
		rec.ErrorMessage = FirstLine(r.Content[0].Text)
	}
	rec.ResponseElements, _ = json.Marshal(map[string]any{"isError": r.IsError})
}

// decisionOf maps how a call went to the audit vocabulary.
func decisionOf(c *agent.Call) (decision, answer, layer string) {
	switch c.Approval {
	case agent.AllowedOnce:
		return "ask", "y", "user"
	case agent.TrustedForSession:
		return "ask", "t", "user"
	case agent.DeniedByUser:
		return "ask", "n", "user"
	case agent.NotApproved:
		return "ask", "", "user"
	case agent.BlockedByHook:
		return "deny", "", string(permission.LayerHook)
	case agent.AllowedByRule:
		return "allow", "", layerOf(c.Decision.Layer)
	case agent.DeniedByRule:
		return "deny", "", layerOf(c.Decision.Layer)
	}
	// The call never reached judgement: its input was invalid.
	return "deny", "", "validation"
}

// layerOf is the layer as the audit trail has always named it: trust
// given by a launch flag counts as the session's.
func layerOf(l permission.Layer) string {
	switch l {
	case permission.LayerFlag:
		return string(permission.LayerSession)
	case "":
		return string(permission.LayerDefault)
	}
	return string(l)
}

// FirstLine is the first line of s, at most 500 bytes of it: what an error
// message contributes to a record.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
