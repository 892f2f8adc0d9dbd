package audit

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/version"
)

// EventVersion is the CloudTrail record format version the records follow.
const EventVersion = "1.11"

// Event types: AWS calls keep CloudTrail's value so CloudTrail tooling reads
// them as such; every other tool call gets qdev's own.
const (
	EventTypeAWS  = "AwsApiCall"
	EventTypeTool = "QdevToolCall"
)

// Phases of a call that runs (see Record.Phase).
const (
	PhaseIntent  = "intent"
	PhaseOutcome = "outcome"
)

// ToolEventSource is the eventSource of calls that are not AWS API calls.
const ToolEventSource = "qdev.tool"

// TimeFormat is the layout of eventTime: CloudTrail's UTC ISO-8601 form.
const TimeFormat = "2006-01-02T15:04:05Z"

// Record is one audit record: a CloudTrail event record plus qdev's fields
// about the decision and the run. Append fills what is left empty (see
// Trail.Append); JSON field names are CloudTrail's.
type Record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion,omitempty"`
	SourceIPAddress    string          `json:"sourceIPAddress,omitempty"`
	UserAgent          string          `json:"userAgent,omitempty"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID,omitempty"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	EventType          string          `json:"eventType"`
	RecipientAccountID string          `json:"recipientAccountId,omitempty"`

	// ConversationID, Agent and Model say which session made the call.
	ConversationID string `json:"conversationId,omitempty"`
	Agent          string `json:"agent,omitempty"`
	Model          string `json:"model,omitempty"`
	// Subagent names the subagent of that session that made the call
	// (use_subagent), as the user saw it labelled; empty for the session's
	// own calls.
	Subagent string `json:"subagent,omitempty"`
	// Tool is the tool's name; Server the MCP server for MCP tools.
	Tool   string `json:"tool"`
	Server string `json:"server,omitempty"`
	// Decision is "allow", "ask" or "deny"; UserAnswer is the answer to an
	// ask: "y" (run once), "t" (trust), "n" (refuse) or "".
	Decision   string `json:"decision"`
	UserAnswer string `json:"userAnswer,omitempty"`
	// Rule and Layer name what decided, e.g. a deniedCommands pattern in the
	// managed layer.
	Rule  string `json:"rule,omitempty"`
	Layer string `json:"layer,omitempty"`
	// RuleSource is the file (agent or managed settings) the rule is
	// written in, when known.
	RuleSource string `json:"ruleSource,omitempty"`
	// ExitStatus is the process status of commands; nil for other tools.
	ExitStatus  *int  `json:"exitStatus,omitempty"`
	DurationMs  int64 `json:"durationMs"`
	OutputBytes int64 `json:"outputBytes"`
	// Phase splits a call that runs into two records: PhaseIntent, made
	// durable before the call starts, and PhaseOutcome after it ends,
	// whose IntentID is the intent's eventID. A call that never ran (a
	// refusal) is one record with no phase. Phase and IntentID come last
	// but for PrevHash, so Verify reads them off the line's end.
	Phase    string `json:"phase,omitempty"`
	IntentID string `json:"intentID,omitempty"`
	// PrevHash is set by Append: the SHA-256 (hex) of the previous line.
	PrevHash string `json:"prevHash"`
}

// UserIdentity says who made the call, with CloudTrail's field names.
type UserIdentity struct {
	// Type is a CloudTrail identity type (IAMUser, AssumedRole, ...) for AWS
	// calls, or "LocalUser" for the local account running q.
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
}

// Time returns the record's eventTime, or the zero time when it is not in
// TimeFormat.
func (r *Record) Time() time.Time {
	t, err := time.Parse(TimeFormat, r.EventTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Field limits from CloudTrail: longer values are cut.
const (
	maxShortField = 1 << 10   // userAgent, errorCode, errorMessage
	maxDocument   = 100 << 10 // requestParameters, responseElements
)

// prepare validates r, fills its defaults but eventTime and prevHash, and
// redacts its secrets.
func prepare(r Record) (Record, error) {
	switch r.Decision {
	case "allow", "ask", "deny":
	case "":
		return r, fmt.Errorf("audit record %q: decision is required (allow, ask or deny)", r.Tool)
	default:
		return r, fmt.Errorf("audit record %q: decision %q is not allow, ask or deny", r.Tool, r.Decision)
	}
	switch r.UserAnswer {
	case "", "y", "t", "n":
	default:
		return r, fmt.Errorf("audit record %q: userAnswer %q is not y, t, n or empty", r.Tool, r.UserAnswer)
	}
	switch {
	case r.Phase == PhaseOutcome && !isEventID(r.IntentID):
		return r, fmt.Errorf("audit record %q: an outcome needs the intent's eventID in intentID", r.Tool)
	case r.Phase != PhaseOutcome && r.IntentID != "":
		return r, fmt.Errorf("audit record %q: intentID belongs to outcome records only", r.Tool)
	case r.Phase != "" && r.Phase != PhaseIntent && r.Phase != PhaseOutcome:
		return r, fmt.Errorf("audit record %q: phase %q is not intent, outcome or empty", r.Tool, r.Phase)
	}
	if r.Tool == "" && r.EventName == "" {
		return r, fmt.Errorf("audit record: tool or eventName is required")
	}
	if r.EventVersion == "" {
		r.EventVersion = EventVersion
	}
	if r.EventSource == "" {
		r.EventSource = ToolEventSource
	}
	if r.EventName == "" {
		r.EventName = r.Tool
	}
	if r.EventType == "" {
		r.EventType = EventTypeTool
		if strings.HasSuffix(r.EventSource, ".amazonaws.com") {
			r.EventType = EventTypeAWS
		}
	}
	if r.UserIdentity.Type == "" {
		r.UserIdentity.Type = "Unknown"
	}
	if r.UserAgent == "" {
		r.UserAgent = "qdev/" + version.Version
	}
	if r.EventID == "" {
		id, err := NewEventID()
		if err != nil {
			return r, err
		}
		r.EventID = id
	}
	redactRecord(&r)
	r.UserAgent = cut(r.UserAgent, maxShortField)
	r.ErrorCode = cut(r.ErrorCode, maxShortField)
	r.ErrorMessage = cut(r.ErrorMessage, maxShortField)
	r.RequestParameters = capDocument(r.RequestParameters)
	r.ResponseElements = capDocument(r.ResponseElements)
	return r, nil
}

// NewEventID returns a random (version 4) UUID in its canonical form.
func NewEventID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("audit: event ID: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// isEventID reports whether s has the form NewEventID gives: 36 characters
// of lower-case hex and dashes. Verify relies on it to find an outcome's
// intentID at the end of its line without parsing the line.
func isEventID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		default:
			return false
		}
	}
	return true
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// capDocument replaces a document larger than CloudTrail's limit by a small
// object saying so, as CloudTrail omits oversized parameters.
func capDocument(doc json.RawMessage) json.RawMessage {
	if len(doc) <= maxDocument {
		return doc
	}
	return json.RawMessage(fmt.Sprintf(`{"qdevOmitted":"larger than %d bytes","bytes":%d}`, maxDocument, len(doc)))
}
