package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/paths"
)

// DefaultMaxFileBytes is the size at which a log file is sealed when
// Options.MaxFileBytes is zero.
const DefaultMaxFileBytes = 16 << 20

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
}

// Trail appends records to a trail directory. Its methods are safe for
// concurrent use, and several processes may append to one directory: every
// append and rotation holds the directory's flock, and each process
// re-reads the state another one left before it writes.
type Trail struct {
	dir     string
	maxSize int64
	now     func() time.Time
	keyFile string

	mu     sync.Mutex // guards everything below
	lock   *os.File   // the directory's .lock, flocked around each append
	closed bool
	key    ed25519.PrivateKey // loaded on the first seal

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
	t := &Trail{dir: dir, maxSize: opts.MaxFileBytes, now: opts.Now, keyFile: opts.KeyFile, lock: lock, size: -1}
	if t.maxSize <= 0 {
		t.maxSize = DefaultMaxFileBytes
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.keyFile == "" {
		t.keyFile = KeyPath(dir)
	}
	return t, nil
}

// Dir returns the trail's directory.
func (t *Trail) Dir() string { return t.dir }

// Append validates r, fills its defaults (eventVersion, eventTime from the
// trail's clock, eventSource, eventName, eventType, eventID), redacts its
// secrets, chains it to the trail's last record and writes it as one line
// with a single write, synced to disk before Append returns. It seals the
// open file first when the hour has changed or the file is full.
func (t *Trail) Append(r Record) error {
	rec, err := prepare(r)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("audit trail " + t.dir + ": closed")
	}
	if err := flock(t.lock, true); err != nil {
		return fmt.Errorf("audit trail %s: lock: %w", t.dir, err)
	}
	defer funlock(t.lock)
	if err := t.refresh(); err != nil {
		return err
	}
	now := t.now()
	// The trail's clock, not the caller's, dates records: file selection in
	// Lookup and Verify relies on eventTime growing along the trail.
	rec.EventTime = now.UTC().Format(TimeFormat)
	rec.PrevHash = t.head
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&rec); err != nil {
		return fmt.Errorf("audit record %q: %w", rec.EventName, err)
	}
	line := buf.Bytes()
	if t.cur != nil && t.mustSeal(now, int64(len(line))) {
		if err := t.seal(now); err != nil {
			return err
		}
	}
	if t.cur == nil {
		if err := t.create(now); err != nil {
			return err
		}
	}
	if _, err := t.cur.Write(line); err != nil {
		t.size = -1 // unknown: the next append re-reads the file
		return fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	if err := t.cur.Sync(); err != nil {
		t.size = -1
		return fmt.Errorf("audit trail %s: sync: %w", t.curName, err)
	}
	t.size += int64(len(line))
	t.head = lineHash(line[:len(line)-1])
	return nil
}

// Rotate seals the open log file now, if there is one; the next Append
// starts a new file.
func (t *Trail) Rotate() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("audit trail " + t.dir + ": closed")
	}
	if err := flock(t.lock, true); err != nil {
		return fmt.Errorf("audit trail %s: lock: %w", t.dir, err)
	}
	defer funlock(t.lock)
	if err := t.refresh(); err != nil || t.cur == nil {
		return err
	}
	return t.seal(t.now())
}

// Close releases the trail's files. It does not seal the open file: other
// processes, or a later run, keep appending to it. Close is idempotent.
func (t *Trail) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	t.dropCurrent()
	return t.lock.Close()
}

// mustSeal reports whether the open file must be sealed before a line of n
// bytes is appended at time now.
func (t *Trail) mustSeal(now time.Time, n int64) bool {
	return t.torn ||
		now.UTC().Truncate(time.Hour).After(t.curStart.Truncate(time.Hour)) ||
		(t.size > 0 && t.size+n > t.maxSize)
}

// dropCurrent forgets the open file.
func (t *Trail) dropCurrent() {
	if t.cur != nil {
		t.cur.Close()
	}
	t.cur, t.curName, t.size, t.torn = nil, "", -1, false
}

// create starts log file number t.nextSeq.
func (t *Trail) create(now time.Time) error {
	name := logName(now, t.nextSeq)
	f, err := os.OpenFile(filepath.Join(t.dir, name), os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("audit trail %s: %w", t.dir, err)
	}
	if err := syncDir(t.dir); err != nil {
		f.Close()
		return fmt.Errorf("audit trail %s: %w", t.dir, err)
	}
	t.cur, t.curName, t.curSeq, t.curStart = f, name, t.nextSeq, now.UTC().Truncate(time.Second)
	t.size, t.torn, t.nextSeq = 0, false, t.nextSeq+1
	return nil
}

// seal writes the open file's digest, chained to the digest before it,
// makes the file read-only and forgets it. The digest appears atomically,
// and its existence is what tells every process the file is closed.
func (t *Trail) seal(now time.Time) error {
	data, err := os.ReadFile(filepath.Join(t.dir, t.curName))
	if err != nil {
		return fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	prev, err := t.previousDigest()
	if err != nil {
		return err
	}
	d, err := newDigest(t.curName, t.curStart, now, data, prev)
	if err != nil {
		return fmt.Errorf("audit trail %s: previous digest: %w", t.curName, err)
	}
	if t.key == nil {
		if t.key, err = loadOrCreateKey(t.keyFile); err != nil {
			return err
		}
	}
	d.sign(t.key)
	tmp, err := writeTemp(t.dir, d.marshal(), 0o400)
	if err == nil {
		if err = os.Rename(tmp, filepath.Join(t.dir, digestName(t.curName))); err != nil {
			os.Remove(tmp)
		}
	}
	if err == nil {
		err = syncDir(t.dir)
	}
	if err != nil {
		return fmt.Errorf("audit trail %s: digest: %w", t.curName, err)
	}
	// Read-only is a courtesy against accidents; the digest is the seal.
	_ = os.Chmod(filepath.Join(t.dir, t.curName), 0o400)
	t.nextSeq = t.curSeq + 1
	t.dropCurrent()
	return nil
}

// previousDigest returns the bytes of the newest digest older than the open
// file, nil if there is none.
func (t *Trail) previousDigest() ([]byte, error) {
	l, err := listTrail(t.dir)
	if err != nil {
		return nil, err
	}
	for i := len(l.Logs) - 1; i >= 0; i-- {
		lf := l.Logs[i]
		if lf.Seq < t.curSeq && l.Digests[lf.Name] {
			data, err := os.ReadFile(filepath.Join(t.dir, digestName(lf.Name)))
			if err != nil {
				return nil, fmt.Errorf("audit trail %s: %w", digestName(lf.Name), err)
			}
			return data, nil
		}
	}
	return nil, nil
}

// exists reports whether path exists.
func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
