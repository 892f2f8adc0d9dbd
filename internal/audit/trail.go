package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qdev/qdev/internal/paths"
)

// DefaultMaxFileBytes is the size at which a log file is sealed when
// Options.MaxFileBytes is zero.
const DefaultMaxFileBytes = 16 << 20

// maxBatchBytes bounds the encoded records one leader commits at once, so
// that a burst does not build one unbounded write buffer.
const maxBatchBytes = 4 << 20

// maxJoinWait bounds how long a leader waits for Appends under way to join
// its batch; see awaitJoiners.
const maxJoinWait = time.Millisecond

// DefaultDir returns the trail directory used unless one is configured:
// $XDG_DATA_HOME/qdev/audit.
func DefaultDir() string { return filepath.Join(paths.DataDir(), "audit") }

// Options tune a Trail; the zero value is the default.
type Options struct {
	// MaxFileBytes seals a log file before an append would take it past this
	// size (a single larger record still gets a file of its own).
	MaxFileBytes int64
	// Now is the clock that dates records and files; time.Now when nil.
	Now func() time.Time
	// KeyFile is the signing key's path; KeyPath(dir) when empty.
	KeyFile string
	// AnchorFile is where the trail's Anchor is kept; AnchorPath(dir) when
	// empty.
	AnchorFile string
	// DigestSink, when set, also receives the anchor whenever a file is
	// sealed and when the trail is closed: SinkSyslog, or the path of a
	// file to append to.
	DigestSink string
	// PinnedKey, when set, is the signing key's public half or fingerprint
	// as the administrator pins it (see ParsePinnedKey): the trail refuses
	// to write with any other key.
	PinnedKey string
}

// Trail appends records to a trail directory. Its methods are safe for
// concurrent use, and several processes may append to one directory: every
// commit and rotation holds the directory's flock, and each process
// re-reads the state another one left before it writes.
//
// Concurrent Appends in one process are committed in groups: the first
// caller to find the queue empty leads, writing every record queued behind
// it with one write and one fsync, so the cost of a sync is shared.
type Trail struct {
	dir     string
	maxSize int64
	now     func() time.Time
	keyFile string
	closed  atomic.Bool
	// anchorFile holds the trail's Anchor; pinned is the fingerprint the
	// administrator pins, if any.
	anchorFile string
	pinned     string
	sink       string // Options.DigestSink

	qmu   sync.Mutex // guards queue and joining
	queue []*waiter  // Appends not yet committed; queue[0] leads
	// inflight counts the Appends that have begun and not yet returned.
	inflight atomic.Int64
	// joining, when not nil, is closed once every Append in flight is
	// queued: the leader is waiting for that (see awaitJoiners);
	// joinWanted says so without taking qmu.
	joining    chan struct{}
	joinWanted atomic.Bool
	lastSync   atomic.Int64 // how long the last fsync took, in nanoseconds

	mu   sync.Mutex // guards everything below; held for a whole commit
	lock *os.File   // the directory's .lock, flocked around each commit
	key  ed25519.PrivateKey
	wbuf []byte // the lines of the commit in progress
	// anchor is the trail's Anchor as read at the start of the commit in
	// progress and moved by it; saved is what this process last wrote.
	anchor  *Anchor
	saved   Anchor
	anchorF *os.File // the anchor file, once opened
	// restored is the anchor loadMark took from saved, the file being
	// gone or older.
	restored *Anchor

	// The open log file as this process last saw it, nil when the newest
	// file is sealed or the trail is empty.
	cur      *os.File
	curName  string
	curSeq   int64
	curStart time.Time
	size     int64  // bytes written to cur, -1 after a failed write
	torn     bool   // cur ends with a line torn by a crash
	nextSeq  int64  // sequence number of the next file
	head     string // chain hash of the trail's last complete record

	// curPath mirrors cur's path for Ready, which must not wait for a
	// commit; nil when there is no open file.
	curPath atomic.Pointer[string]
	ready   readiness
	// noSync skips fsync: only benchmarks that build a trail quickly set it.
	noSync bool
	hooks  *testHooks
}

// testHooks let tests stop or break a commit at chosen points; a Trail has
// none outside tests.
type testHooks struct {
	write      func(f *os.File, b []byte) (int, error) // instead of f.Write
	beforeSync func()                                  // before each fsync
}

// Open prepares the trail in dir, creating the directory (0700) if needed.
// Nothing is read or written until the first Append.
func Open(dir string, opts Options) (*Trail, error) {
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit trail %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit trail %s: %w", dir, err)
	}
	t := &Trail{dir: dir, maxSize: opts.MaxFileBytes, now: opts.Now, keyFile: opts.KeyFile, lock: lock, size: -1,
		anchorFile: opts.AnchorFile, sink: opts.DigestSink}
	if opts.PinnedKey != "" {
		fp, _, err := ParsePinnedKey(opts.PinnedKey)
		if err != nil {
			lock.Close()
			return nil, err
		}
		t.pinned = fp
	}
	if t.anchorFile == "" {
		t.anchorFile = AnchorPath(dir)
	}
	if t.maxSize <= 0 {
		t.maxSize = DefaultMaxFileBytes
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.keyFile == "" {
		t.keyFile = KeyPath(dir)
	}
	t.ready = readiness{free: diskFree, clock: time.Now}
	return t, nil
}

// Dir returns the trail's directory.
func (t *Trail) Dir() string { return t.dir }

// Append validates r, fills its defaults (eventVersion, eventTime from the
// trail's clock, eventSource, eventName, eventType, eventID), redacts its
// secrets, chains it to the trail's last record and writes it as one
// complete line. It returns once the line is synced to disk, or with an
// error when it may not be; records appended concurrently share the write
// and the sync but keep the order in which they were queued. The open file
// is sealed first when the hour has changed or the file is full.
func (t *Trail) Append(r Record) error {
	t.inflight.Add(1)
	defer t.leave()
	rec, err := prepare(r)
	if err != nil {
		return err
	}
	enc, err := encode(&rec)
	if err != nil {
		return err
	}
	w := &waiter{enc: enc, wake: make(chan bool, 1)}
	t.qmu.Lock()
	t.queue = append(t.queue, w)
	leader := len(t.queue) == 1
	t.signalJoiners()
	t.qmu.Unlock()
	if !leader && <-w.wake {
		return w.err
	}
	t.lead()
	return w.err
}

// leave counts an Append out, telling a waiting leader.
func (t *Trail) leave() {
	t.inflight.Add(-1)
	if t.joinWanted.Load() {
		t.qmu.Lock()
		t.signalJoiners()
		t.qmu.Unlock()
	}
}

// lead commits the records at the front of the queue, the caller's own
// first, then wakes their callers and passes the lead to the first record
// that arrived meanwhile, so no caller waits for more than two commits.
func (t *Trail) lead() {
	t.qmu.Lock()
	t.awaitJoiners()
	n, size := 1, len(t.queue[0].enc.data)
	for n < len(t.queue) && size+len(t.queue[n].enc.data) <= maxBatchBytes {
		size += len(t.queue[n].enc.data)
		n++
	}
	batch := slices.Clone(t.queue[:n])
	t.qmu.Unlock()

	t.commit(batch)

	t.qmu.Lock()
	t.queue = slices.Delete(t.queue, 0, n)
	var next *waiter
	if len(t.queue) > 0 {
		next = t.queue[0]
	}
	t.qmu.Unlock()
	for _, w := range batch[1:] {
		w.wake <- true
	}
	if next != nil {
		next.wake <- false
	}
}

// awaitJoiners lets the Appends under way join the batch about to be
// committed: those preparing their record, and those just woken from the
// last batch, which leave, or come back with a new record when their
// caller has more. It waits until each is queued or gone, at most half as
// long as the last sync took and never more than maxJoinWait, since a sync
// saved for them is worth more than the wait. A lone Append never waits.
// It is called and returns with qmu held.
func (t *Trail) awaitJoiners() {
	wait := min(time.Duration(t.lastSync.Load())/2, maxJoinWait)
	if wait <= 0 || len(t.queue) >= int(t.inflight.Load()) {
		return
	}
	ch := make(chan struct{})
	t.joining = ch
	t.joinWanted.Store(true)
	t.qmu.Unlock()
	timer := time.NewTimer(wait)
	select {
	case <-ch:
	case <-timer.C:
	}
	timer.Stop()
	t.qmu.Lock()
	t.joining = nil
	t.joinWanted.Store(false)
}

// signalJoiners ends a leader's wait once every Append in flight is
// queued. It runs with qmu held.
func (t *Trail) signalJoiners() {
	if t.joining != nil && len(t.queue) >= int(t.inflight.Load()) {
		close(t.joining)
		t.joining = nil
		t.joinWanted.Store(false)
	}
}

// Rotate seals the open log file now, if there is one; the next Append
// starts a new file.
func (t *Trail) Rotate() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return errors.New("audit trail " + t.dir + ": closed")
	}
	if err := flock(t.lock, true); err != nil {
		return fmt.Errorf("audit trail %s: lock: %w", t.dir, err)
	}
	defer funlock(t.lock)
	if err := t.refresh(); err != nil || t.cur == nil {
		return err
	}
	if err := t.checkMark(); err != nil {
		return err
	}
	if err := t.seal(t.now()); err != nil {
		return err
	}
	return t.saveMark()
}

// Close releases the trail's files once the commit in progress, if any, is
// done; Appends still queued fail. It does not seal the open file: other
// processes, or a later run, keep appending to it. It sends the last
// anchor this process wrote to the digest sink, if any. Close is
// idempotent.
func (t *Trail) Close() error {
	if t.closed.Swap(true) {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.ship(&t.saved)
	t.dropCurrent()
	if t.anchorF != nil {
		t.anchorF.Close()
	}
	return errors.Join(err, t.lock.Close())
}

// exists reports whether path exists.
func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
