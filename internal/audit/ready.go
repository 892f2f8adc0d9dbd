package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// MinFreeBytes is the free space Ready demands on the trail's filesystem:
// room for many records and a digest, so that a call it lets through can
// still be recorded.
const MinFreeBytes = 1 << 20

// readyTTL is how long Ready trusts its last check: a tool call costs far
// more than a check a second, and a disk rarely fills faster.
const readyTTL = time.Second

// readiness caches the outcome of Ready.
type readiness struct {
	mu  sync.Mutex
	at  time.Time // when err was found; zero when there is nothing cached
	err error
	// free returns the bytes available to this user on dir's filesystem,
	// and whether the platform can tell; replaced in tests.
	free func(dir string) (uint64, bool, error)
	// clock times the cache; replaced in tests.
	clock func() time.Time
}

// forget drops the cached outcome, so the next Ready checks again.
func (r *readiness) forget() {
	r.mu.Lock()
	r.at = time.Time{}
	r.mu.Unlock()
}

// Ready reports whether the trail can record a tool call now: the trail is
// open, its directory exists and is writable, its lock file and open log
// file can be opened for writing, and its filesystem has MinFreeBytes free.
// Callers ask before running a tool and refuse the call when it fails, so
// that nothing runs unrecorded. The error is one line naming the
// directory. Ready costs a few system calls and caches its outcome for a
// second; a failed Append makes the next Ready check again.
func (t *Trail) Ready() error {
	t.ready.mu.Lock()
	defer t.ready.mu.Unlock()
	now := t.ready.clock()
	if !t.ready.at.IsZero() && !now.Before(t.ready.at) && now.Sub(t.ready.at) < readyTTL {
		return t.ready.err
	}
	t.ready.err = t.checkReady()
	t.ready.at = now
	return t.ready.err
}

// checkReady does Ready's checks, uncached.
func (t *Trail) checkReady() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("audit trail %s: "+format, append([]any{t.dir}, args...)...)
	}
	if t.closed.Load() {
		return fail("closed")
	}
	fi, err := os.Stat(t.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("the directory is gone")
	case err != nil:
		return fail("%v", err)
	case !fi.IsDir():
		return fail("not a directory")
	}
	if err := writable(t.dir); err != nil {
		return fail("the directory is not writable: %v", err)
	}
	lock, err := os.OpenFile(filepath.Join(t.dir, lockName), os.O_RDWR, 0)
	if err != nil {
		return fail("cannot open the lock file: %v", err)
	}
	lock.Close()
	if p := t.curPath.Load(); p != nil {
		f, err := os.OpenFile(*p, os.O_WRONLY|os.O_APPEND, 0)
		if err == nil {
			f.Close()
		} else if sealed, _ := exists(digestName(*p)); !sealed {
			// Sealed by another process meanwhile, the file is read-only
			// by design and the next Append starts a new one.
			return fail("cannot open the open log file: %v", err)
		}
	}
	free, known, err := t.ready.free(t.dir)
	switch {
	case err != nil:
		return fail("cannot tell the free space: %v", err)
	case known && free < MinFreeBytes:
		return fail("filesystem full (%d KiB free, at least %d KiB needed)", free>>10, MinFreeBytes>>10)
	}
	return nil
}
