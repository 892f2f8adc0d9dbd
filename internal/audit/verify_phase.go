package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// KindUnfinished is the problem kind of an intent without an outcome: a
// call that started and whose end was never recorded, because q, its
// parent or the command was killed, or because it is still running. The
// records are intact, so it does not limit TrustedThrough, but the trail
// is not clean: the call's effects are unknown.
const KindUnfinished = "unfinished"

// openIntent is an intent record whose outcome Verify has not seen yet.
type openIntent struct {
	seq  int64
	file string
	line int
}

// Line ends the writer gives intent and outcome records: the phase, then
// for an outcome the intent's eventID, then prevHash (see trailingPrevHash).
var (
	intentTail  = []byte(`,"phase":"intent"`)
	outcomeTail = []byte(`,"phase":"outcome","intentID":"`)
	eventIDKey  = []byte(`,"eventID":"`)
)

// phaseOf returns the phase of a record line and the eventID that matters:
// the intent's own for an intent, the intent it completes for an outcome.
// It reads them where the writer puts them, parsing the line only when it
// has another shape.
func phaseOf(line []byte) (phase string, id []byte) {
	if ph, ok := trailingPrevHash(line); ok {
		body := line[:len(line)-len(`,"prevHash":""}`)-len(ph)]
		switch {
		case bytes.HasSuffix(body, intentTail):
			// Every string after the request and response documents is
			// escaped, so the last eventID key is the record's own.
			if i := bytes.LastIndex(body, eventIDKey); i >= 0 {
				rest := body[i+len(eventIDKey):]
				if j := bytes.IndexByte(rest, '"'); j >= 0 {
					return PhaseIntent, rest[:j]
				}
			}
		case len(body) > 37 && bytes.HasSuffix(body[:len(body)-37], outcomeTail) && body[len(body)-1] == '"':
			return PhaseOutcome, body[len(body)-37 : len(body)-1]
		case !bytes.Contains(body, []byte(`"phase":`)):
			return "", nil
		}
	}
	var r struct {
		EventID, Phase, IntentID string
	}
	if json.Unmarshal(line, &r) != nil {
		return "", nil
	}
	if r.Phase == PhaseOutcome {
		return r.Phase, []byte(r.IntentID)
	}
	return r.Phase, []byte(r.EventID)
}

// notePhase follows intents and outcomes through the trail: record n of
// log file i opens an intent or closes one.
func (v *verifier) notePhase(i, n int, line []byte) {
	phase, id := phaseOf(line)
	switch phase {
	case PhaseIntent:
		if v.intents == nil {
			v.intents = map[string]openIntent{}
		}
		lf := v.list.Logs[i]
		v.intents[string(id)] = openIntent{seq: lf.Seq, file: lf.Name, line: n}
	case PhaseOutcome:
		delete(v.intents, string(id))
	}
}

// reportUnfinished reports the intents left open. When the check stopped
// before the trail's end, the outcomes of the last file's intents may lie
// beyond it, so only earlier intents count.
func (v *verifier) reportUnfinished(toEnd bool, lastSeq int64) {
	for id, in := range v.intents {
		if !toEnd && in.seq == lastSeq {
			continue
		}
		v.rep.Problems = append(v.rep.Problems, Problem{File: in.file, Line: in.line, Kind: KindUnfinished,
			Message: fmt.Sprintf("started, no outcome: call %s began and its result was never recorded (q, its parent or the command was killed, or it is still running)", id)})
		v.suspects = append(v.suspects, suspect{seq: in.seq, line: int64(in.line), keepsTrust: true})
	}
}
