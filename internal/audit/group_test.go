package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// appendFrom appends n records from each of g goroutines, spreading the
// goroutines over trails, and returns the first error.
func appendFrom(trails []*Trail, g, n int) error {
	var wg sync.WaitGroup
	errs := make(chan error, g)
	for w := range g {
		wg.Go(func() {
			for seq := range n {
				params, _ := json.Marshal(payload{Writer: fmt.Sprint("w", w), Seq: seq, Pad: strings.Repeat("p", (w*seq)%300)})
				if err := trails[w%len(trails)].Append(Record{Tool: "fs_read", Decision: "allow", RequestParameters: params}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	const writers, n = 32, 40
	for _, tc := range []struct {
		name     string
		trails   int
		maxBytes int64
	}{
		{"one trail, one file", 1, 0},
		{"one trail, rotating inside batches", 1, 8 << 10},
		{"two trails on one directory", 2, 8 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock("2025-03-04T10:00:00Z")
			dir := filepath.Join(t.TempDir(), "audit")
			var trails []*Trail
			for range tc.trails {
				tr, err := Open(dir, Options{MaxFileBytes: tc.maxBytes, Now: c.Now})
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				trails = append(trails, tr)
			}
			if err := appendFrom(trails, writers, n); err != nil {
				t.Fatal(err)
			}
			r := Verify(dir, time.Time{}, time.Time{})
			mustOK(t, r)
			if r.Records != writers*n {
				t.Errorf("%d records, want %d", r.Records, writers*n)
			}
			if tc.maxBytes > 0 && r.Files < 10 {
				t.Errorf("%d files: the trail did not rotate", r.Files)
			}
			// Each writer's records are all there once, in its order.
			for w := range writers {
				seqs := seqsOf(t, dir, fmt.Sprint("w", w))
				if len(seqs) != n {
					t.Fatalf("writer %d: %d records, want %d", w, len(seqs), n)
				}
				for i, s := range seqs {
					if s != i {
						t.Fatalf("writer %d: record %d has seq %d", w, i, s)
					}
				}
			}
		})
	}
}

// holdFirstCommit starts an Append of its own and returns once that
// Append's commit, a batch of that record alone, reaches its fsync; the
// commit goes on when until reports true. It returns the count of syncs and
// the Append's outcome.
func holdFirstCommit(t *testing.T, tr *Trail, until func() bool) (*atomic.Int64, chan error) {
	t.Helper()
	var syncs atomic.Int64
	reached := make(chan struct{})
	tr.hooks = &testHooks{beforeSync: func() {
		if syncs.Add(1) > 1 {
			return
		}
		close(reached)
		for !until() {
			runtime.Gosched()
		}
	}}
	first := make(chan error, 1)
	go func() { first <- tr.Append(rec(0)) }()
	<-reached
	return &syncs, first
}

// queued reports whether n Appends are queued in tr, the batch being
// committed included.
func queued(tr *Trail, n int) bool {
	tr.qmu.Lock()
	defer tr.qmu.Unlock()
	return len(tr.queue) >= n
}

// appendAll runs Append(rec(i)) for i in [from, to) at once and returns
// how many succeeded and the errors of the others.
func appendAll(tr *Trail, from, to int) (ok int, errs []error) {
	ch := make(chan error, to-from)
	for i := from; i < to; i++ {
		go func() { ch <- tr.Append(rec(i)) }()
	}
	for range to - from {
		if err := <-ch; err != nil {
			errs = append(errs, err)
		} else {
			ok++
		}
	}
	return ok, errs
}

func TestGroupCommitSharesOneWriteAndSync(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	const writers = 32
	syncs, first := holdFirstCommit(t, tr, func() bool { return queued(tr, writers) })
	// The 31 Appends that queue while the first commit syncs are written
	// by the next commit, with one write and one fsync.
	if ok, errs := appendAll(tr, 1, writers); ok != writers-1 {
		t.Fatalf("%d appends succeeded: %v", ok, errs)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := syncs.Load(); got != 2 {
		t.Errorf("%d syncs for %d appends, want 2", got, writers)
	}
	r := Verify(dir, time.Time{}, time.Time{})
	mustOK(t, r)
	if r.Records != writers {
		t.Errorf("%d records, want %d", r.Records, writers)
	}
}

func TestCloseFailsQueuedAppends(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	const writers = 8
	_, first := holdFirstCommit(t, tr, func() bool { return tr.closed.Load() && queued(tr, writers) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Close lets the commit in progress finish; the Appends queued
		// behind it fail rather than hang.
		ok, errs := appendAll(tr, 1, writers)
		if ok != 0 || len(errs) != writers-1 {
			t.Errorf("%d queued appends succeeded, errors %v; want all to fail", ok, errs)
		}
		for _, err := range errs {
			if !strings.Contains(err.Error(), "closed") {
				t.Errorf("queued Append: %v, want closed", err)
			}
		}
	}()
	for !queued(tr, writers) {
		runtime.Gosched()
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Errorf("the Append being committed when Close came: %v", err)
	}
	<-done
	r := Verify(dir, time.Time{}, time.Time{})
	mustOK(t, r)
	if r.Records != 1 {
		t.Errorf("%d records, want the 1 acknowledged", r.Records)
	}
}

func TestFailedWriteFailsItsBatchAndTheTrailGoesOn(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	mustAppend(t, tr, rec(0))
	const writers = 6
	broken := errors.New("injected: no space left on device")
	_, first := holdFirstCommit(t, tr, func() bool { return queued(tr, writers) })
	// The first commit has written; the next one's write fails inside its
	// last record, after writing the others.
	tr.hooks.write = func(f *os.File, b []byte) (int, error) {
		n, _ := f.Write(b[:len(b)-2])
		return n, broken
	}
	ok, errs := appendAll(tr, 1, writers)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if ok != 0 || len(errs) != writers-1 {
		t.Fatalf("%d appends of the failed batch succeeded, errors %v", ok, errs)
	}
	for _, err := range errs {
		if !errors.Is(err, broken) {
			t.Errorf("Append: %v, want the write error", err)
		}
	}
	// The torn write is sealed away; the trail goes on in a new file and
	// every acknowledged record is there.
	tr.hooks = nil
	mustAppend(t, tr, rec(99))
	r := Verify(dir, time.Time{}, time.Time{})
	if !r.OK() || len(r.Warnings) != 1 || !tornWarning.MatchString(r.Warnings[0]) {
		t.Fatalf("problems %v, warnings %q; want only a torn record", r.Problems, r.Warnings)
	}
	// rec(0) twice, rec(99), and the 4 complete records the failed
	// write left before the torn one.
	if r.Records != 3+writers-2 {
		t.Errorf("%d records, want %d", r.Records, 3+writers-2)
	}
}

func TestEncodedLineMatchesTheRecordsEncoding(t *testing.T) {
	// Strings that mimic the markers the commit relies on must not
	// confuse it.
	tricky := Record{
		Tool: "execute_bash", Decision: "allow",
		UserIdentity:      UserIdentity{Type: "LocalUser", UserName: `x","eventTime":"` + placeholderTime + `"`, ARN: `\"}`},
		RequestParameters: json.RawMessage(`{"prevHash":"","eventTime":"` + placeholderTime + `"}`),
		ErrorMessage:      `"prevHash":""}`,
	}
	for _, r := range []Record{rec(1), tricky} {
		prepared, err := prepare(r)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := encode(&prepared)
		if err != nil {
			t.Fatal(err)
		}
		prev := lineHash([]byte("previous"))
		got := enc.appendLine(nil, "2025-03-04T10:00:00Z", prev)
		prepared.EventTime, prepared.PrevHash = "2025-03-04T10:00:00Z", prev
		want, err := marshalLine(&prepared)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("line\n got %s\nwant %s", got, want)
		}
	}
}

// marshalLine encodes r as Append did before group commit: in one go.
func marshalLine(r *Record) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(r)
	return buf.Bytes(), err
}
