package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// placeholderTime stands in for eventTime while a record waits for its
// commit: it is as long as every TimeFormat value of years 0 to 9999, so
// the leader dates the record by overwriting it, without encoding again.
const placeholderTime = "0000-00-00T00:00:00Z"

// Markers the encoder is bound to produce: eventTime comes right after
// userIdentity, whose strings cannot hold an unescaped quote, and prevHash
// is Record's last field.
var (
	timeMarker = []byte(`"eventTime":"` + placeholderTime + `"`)
	hashSuffix = []byte(`"prevHash":""}` + "\n")
)

// encoded is a record encoded by its caller, ready for the leader to date
// and chain: JSON plus newline, eventTime the placeholder, prevHash empty.
type encoded struct {
	data   []byte
	timeAt int // offset of the eventTime value in data
}

// encode encodes rec as its line will be written, but for eventTime and
// prevHash, which the commit fills.
func encode(rec *Record) (encoded, error) {
	rec.EventTime, rec.PrevHash = placeholderTime, ""
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return encoded{}, fmt.Errorf("audit record %q: %w", rec.EventName, err)
	}
	data := buf.Bytes()
	i := bytes.Index(data, timeMarker)
	if i < 0 || !bytes.HasSuffix(data, hashSuffix) {
		return encoded{}, fmt.Errorf("audit record %q: unexpected encoding (eventTime or prevHash misplaced)", rec.EventName)
	}
	return encoded{data: data, timeAt: i + len(`"eventTime":"`)}, nil
}

// appendLine appends to dst the record's line dated ts (TimeFormat) and
// chained to prev (a lineHash, or "" for the trail's first record). The
// bytes are those encoding the completed record would give.
func (e *encoded) appendLine(dst []byte, ts, prev string) []byte {
	d := e.data
	dst = append(dst, d[:e.timeAt]...)
	dst = append(dst, ts...)
	dst = append(dst, d[e.timeAt+len(placeholderTime):len(d)-len(`"}`+"\n")]...)
	dst = append(dst, prev...)
	return append(dst, `"}`+"\n"...)
}

// waiter is one Append waiting in the queue.
type waiter struct {
	enc encoded
	err error // the outcome, set before wake receives true
	// wake receives true once the record is committed (or failed), false
	// when the waiter has become the front of the queue and must lead.
	wake chan bool
}

// commit writes batch under the trail's lock, chained in queue order, and
// sets each waiter's outcome. Records go to the open file in one write and
// one fsync; only when the batch must seal the file midway are the records
// before the seal written and synced first, so the digest covers durable
// bytes.
func (t *Trail) commit(batch []*waiter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.commitLocked(batch); err != nil {
		t.ready.forget() // the next Ready looks again rather than trust its cache
	}
}

func (t *Trail) commitLocked(batch []*waiter) error {
	fail := func(from int, err error) error {
		for _, w := range batch[from:] {
			w.err = err
		}
		return err
	}
	if t.closed.Load() {
		return fail(0, errors.New("audit trail "+t.dir+": closed"))
	}
	if err := flock(t.lock, true); err != nil {
		return fail(0, fmt.Errorf("audit trail %s: lock: %w", t.dir, err))
	}
	defer funlock(t.lock)
	if err := t.refresh(); err != nil {
		return fail(0, err)
	}
	if err := t.checkMark(); err != nil {
		return fail(0, err)
	}
	// One reading of the clock dates the whole batch: eventTime must not
	// decrease along the trail, which Lookup's and Verify's choice of files
	// relies on.
	now := t.now()
	ts := now.UTC().Format(TimeFormat)
	t.wbuf = t.wbuf[:0]
	unsynced := 0 // the first record not yet written and synced
	for i, w := range batch {
		n := int64(len(w.enc.data) + len(t.head))
		if t.cur != nil && t.mustSeal(now, int64(len(t.wbuf)), n) {
			if err := t.flush(); err != nil {
				return fail(unsynced, err)
			}
			unsynced = i
			if err := t.seal(now); err != nil {
				return fail(i, err)
			}
		}
		if t.cur == nil {
			if err := t.create(now); err != nil {
				return fail(i, err)
			}
		}
		start := len(t.wbuf)
		t.wbuf = w.enc.appendLine(t.wbuf, ts, t.head)
		t.head = lineHash(t.wbuf[start : len(t.wbuf)-1])
	}
	if err := t.flush(); err != nil {
		return fail(unsynced, err)
	}
	if err := t.saveMark(); err != nil {
		return fail(0, fmt.Errorf("%w (the records are on disk)", err))
	}
	if cap(t.wbuf) > 1<<20 {
		t.wbuf = nil // do not keep a burst's buffer for good
	}
	return nil
}

// flush writes the buffered lines to the open file with one write and
// syncs them. After a failure the file's state is unknown, so the next
// commit re-reads it (size -1), and with it the chain head.
func (t *Trail) flush() error {
	if len(t.wbuf) == 0 {
		return nil
	}
	write := (*os.File).Write
	if t.hooks != nil && t.hooks.write != nil {
		write = t.hooks.write
	}
	if _, err := write(t.cur, t.wbuf); err != nil {
		t.size = -1
		return fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	if t.hooks != nil && t.hooks.beforeSync != nil {
		t.hooks.beforeSync()
	}
	if !t.noSync {
		start := time.Now()
		if err := datasync(t.cur); err != nil {
			t.size = -1
			return fmt.Errorf("audit trail %s: sync: %w", t.curName, err)
		}
		t.lastSync.Store(int64(time.Since(start)))
	}
	t.size += int64(len(t.wbuf))
	t.wbuf = t.wbuf[:0]
	return nil
}
