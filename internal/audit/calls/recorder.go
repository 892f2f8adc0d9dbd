package calls

import (
	"encoding/json"
	"sync"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/tool"
)

// Recorder writes one session's records to its trail. Its methods are
// what agent.Options.AuditReady and Audit expect. It is safe for
// concurrent use: the session's subagents (see Subagent) run calls in
// parallel, each paired with its own intent.
type Recorder struct {
	trail   *audit.Trail
	session Session
	version string
	warn    func(error)
	// subagent names the subagent whose calls this recorder writes, ""
	// for the session's own.
	subagent string
	// st is shared by a recorder and the views Subagent returns, so the
	// records of the session and its subagents queue in one order.
	st *state
}

// state is what a recorder and its subagent views share.
type state struct {
	mu sync.Mutex // guards everything below
	// pending is closed when the last queued record is durable.
	pending chan struct{}
	// intents are the running calls whose outcome is still to be
	// recorded, with their intent's eventID; a call's own pointer keys it,
	// so parallel calls never take each other's intent.
	intents map[*agent.Call]string
}

// New returns a recorder that appends to trail the calls of session;
// version is q's version and warn is told about records that could not be
// appended in the background.
func New(trail *audit.Trail, session Session, version string, warn func(error)) *Recorder {
	return &Recorder{trail: trail, session: session, version: version, warn: warn,
		st: &state{intents: map[*agent.Call]string{}}}
}

// Subagent returns a recorder of the calls of the session's subagent
// label: its records name the session's conversation, agent and model, and
// label in their subagent field. It shares r's queue and open intents.
func (r *Recorder) Subagent(label string) *Recorder {
	sub := *r
	sub.subagent = label
	return &sub
}

// record describes call c as this recorder's session and subagent made it.
func (r *Recorder) record(c *agent.Call) audit.Record {
	rec := Record(c, r.session(), r.version)
	rec.Subagent = r.subagent
	return rec
}

// Ready runs just before call c starts: it waits for pending records,
// checks that the trail can take more, and appends c's intent, returning
// once it is on disk. An error refuses the call, so nothing runs that is
// not on record first; a kill after this leaves the intent without an
// outcome, which verify reports.
func (r *Recorder) Ready(c *agent.Call) error {
	r.st.mu.Lock()
	defer r.st.mu.Unlock()
	rec := r.record(c)
	if err := r.appendIntent(&rec); err != nil {
		return err
	}
	r.st.intents[c] = rec.EventID
	return nil
}

// appendIntent waits until every record queued so far is durable, checks
// that the trail can take more and appends rec as an intent under a new
// event id, which it sets in rec; the intent is durable on return. It is
// what Ready and Action share, and r.st.mu must be held.
func (r *Recorder) appendIntent(rec *audit.Record) error {
	r.st.flush()
	if err := r.trail.Ready(); err != nil {
		return err
	}
	id, err := audit.NewEventID()
	if err != nil {
		return err
	}
	rec.EventID, rec.Phase = id, audit.PhaseIntent
	return r.trail.Append(*rec)
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
	r.st.mu.Lock()
	defer r.st.mu.Unlock()
	rec := r.record(c)
	Outcome(&rec, c, res)
	if id, ok := r.st.intents[c]; ok {
		rec.Phase, rec.IntentID = audit.PhaseOutcome, id
		delete(r.st.intents, c)
	}
	prev, done := r.st.pending, make(chan struct{})
	r.st.pending = done
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
	r.st.mu.Lock()
	defer r.st.mu.Unlock()
	r.st.flush()
}

// flush is Flush with st.mu held. The background appends do not take the
// lock, so waiting for them under it cannot deadlock.
func (st *state) flush() {
	if st.pending != nil {
		<-st.pending
		st.pending = nil
	}
}

// Action puts an action the user asked q itself to take (restoring a
// checkpoint, say) on the trail before it runs, as tool calls are: the
// intent is durable when Action returns, and the returned function records
// the outcome. toolName and event name it; params are its parameters.
func (r *Recorder) Action(toolName, event string, params map[string]any) (func(result map[string]any, err error), error) {
	r.st.mu.Lock()
	defer r.st.mu.Unlock()
	data, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	rec := audit.Record{UserIdentity: audit.LocalIdentity(), RequestParameters: data,
		Tool: toolName, EventName: event, Decision: "allow", Layer: "user",
		ResponseElements: json.RawMessage(`{}`)}
	if conv := r.session(); conv != nil {
		rec.ConversationID, rec.Agent, rec.Model = conv.ID, conv.Agent, conv.Model
	}
	if err := r.appendIntent(&rec); err != nil {
		return nil, err
	}
	return func(result map[string]any, err error) {
		out := rec
		out.EventID, out.Phase, out.IntentID = "", audit.PhaseOutcome, rec.EventID
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
