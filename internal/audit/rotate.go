package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// mustSeal reports whether the open file, holding pending bytes beyond
// those known written, must be sealed before a line of n bytes is appended
// at time now.
func (t *Trail) mustSeal(now time.Time, pending, n int64) bool {
	size := t.size + pending
	return t.torn ||
		now.UTC().Truncate(time.Hour).After(t.curStart.Truncate(time.Hour)) ||
		(size > 0 && size+n > t.maxSize)
}

// setCurrent makes f, log file name number seq created at start, the open
// file, holding size bytes.
func (t *Trail) setCurrent(f *os.File, name string, seq int64, start time.Time, size int64, torn bool) {
	t.cur, t.curName, t.curSeq, t.curStart = f, name, seq, start
	t.size, t.torn = size, torn
	path := filepath.Join(t.dir, name)
	t.curPath.Store(&path)
}

// dropCurrent forgets the open file.
func (t *Trail) dropCurrent() {
	if t.cur != nil {
		t.cur.Close()
	}
	t.cur, t.curName, t.size, t.torn = nil, "", -1, false
	t.curPath.Store(nil)
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
	t.setCurrent(f, name, t.nextSeq, now.UTC().Truncate(time.Second), 0, false)
	t.nextSeq++
	return nil
}

// seal writes the open file's digest, chained to the digest before it,
// makes the file read-only and forgets it. The digest appears atomically,
// and its existence is what tells every process the file is closed. The
// file's bytes must be synced already: the digest vouches for them.
func (t *Trail) seal(now time.Time) error {
	sum, err := summarizeFile(filepath.Join(t.dir, t.curName), -1)
	if err != nil {
		return fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	prev, err := t.previousDigest()
	if err != nil {
		return err
	}
	d, err := digestOf(t.curName, t.curStart, now, sum, prev)
	if err != nil {
		return fmt.Errorf("audit trail %s: previous digest: %w", t.curName, err)
	}
	if t.key == nil {
		if t.key, err = loadOrCreateKey(t.keyFile); err != nil {
			return err
		}
	}
	d.sign(t.key)
	data := d.marshal()
	tmp, err := writeTemp(t.dir, data, 0o400)
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
	if t.anchor != nil {
		t.markFile()
		t.markDigest(digestName(t.curName), data)
		if err := t.ship(t.anchor); err != nil {
			return err
		}
	}
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
