package calls

import (
	"encoding/json"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/tool"
)

// Recorder writes one session's records to its trail. Its methods are
// what agent.Options.AuditReady and Audit expect. It is not safe for
// concurrent use: the agent runs one call at a time.
type Recorder struct {
	trail   *audit.Trail
	session Session
	version string
	warn    func(error)
	// pending is closed when the last queued record is durable.
	pending chan struct{}
	// intent is the running call whose outcome is still to be recorded.
	intent openIntent
}

// openIntent is the call whose intent record is on disk and whose outcome
// is not yet queued.
type openIntent struct {
	call *agent.Call
	id   string // the intent's eventID
}

// New returns a recorder that appends to trail the calls of session;
// version is q's version and warn is told about records that could not be
// appended in the background.
func New(trail *audit.Trail, session Session, version string, warn func(error)) *Recorder {
	return &Recorder{trail: trail, session: session, version: version, warn: warn}
}

// Ready runs just before call c starts: it waits for pending records,
// checks that the trail can take more, and appends c's intent, returning
// once it is on disk. An error refuses the call, so nothing runs that is
// not on record first; a kill after this leaves the intent without an
// outcome, which verify reports.
func (r *Recorder) Ready(c *agent.Call) error {
	r.Flush()
	if err := r.trail.Ready(); err != nil {
		return err
	}
	id, err := audit.NewEventID()
	if err != nil {
		return err
	}
	rec := Record(c, r.session(), r.version)
	rec.EventID, rec.Phase = id, audit.PhaseIntent
	if err := r.trail.Append(rec); err != nil {
		return err
	}
	r.intent = openIntent{call: c, id: id}
	return nil
}

// Done writes the record that ends call c: the outcome of a call whose
// intent Ready wrote, or the only record of a call that never ran
// (refused, or invalid).
//
// The durable append runs in the background, in order, so its fsync
// overlaps the next model request; Ready waits for it before the next call
// may run, and Flush before q exits, so no action runs while an earlier
// one is unrecorded.
func (r *Recorder) Done(c *agent.Call, res tool.Result) {
	rec := Record(c, r.session(), r.version)
	Outcome(&rec, c, res)
	if r.intent.call == c {
		rec.Phase, rec.IntentID = audit.PhaseOutcome, r.intent.id
		r.intent = openIntent{}
	}
	prev, done := r.pending, make(chan struct{})
	r.pending = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if err := r.trail.Append(rec); err != nil {
			r.warn(err)
		}
	}()
}

// Flush waits until every record queued so far is durable.
func (r *Recorder) Flush() {
	if r.pending != nil {
		<-r.pending
		r.pending = nil
	}
}

// Action puts an action the user asked q itself to take (restoring a
// checkpoint, say) on the trail before it runs, as tool calls are: the
// intent is durable when Action returns, and the returned function records
// the outcome. toolName and event name it; params are its parameters.
func (r *Recorder) Action(toolName, event string, params map[string]any) (func(result map[string]any, err error), error) {
	r.Flush()
	if err := r.trail.Ready(); err != nil {
		return nil, err
	}
	id, err := audit.NewEventID()
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	rec := audit.Record{UserIdentity: audit.LocalIdentity(), RequestParameters: data,
		Tool: toolName, EventName: event, Decision: "allow", Layer: "user",
		ResponseElements: json.RawMessage(`{}`), EventID: id, Phase: audit.PhaseIntent}
	if conv := r.session(); conv != nil {
		rec.ConversationID, rec.Agent, rec.Model = conv.ID, conv.Agent, conv.Model
	}
	if err := r.trail.Append(rec); err != nil {
		return nil, err
	}
	return func(result map[string]any, err error) {
		out := rec
		out.EventID, out.Phase, out.IntentID = "", audit.PhaseOutcome, id
		if result == nil {
			result = map[string]any{}
		}
		out.ResponseElements, _ = json.Marshal(result)
		if err != nil {
			out.ErrorCode, out.ErrorMessage = "ActionFailed", FirstLine(err.Error())
		}
		if aerr := r.trail.Append(out); aerr != nil {
			r.warn(aerr)
		}
	}, nil
}
