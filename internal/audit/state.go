package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// refresh brings the trail's view of the open file and the chain head up to
// date with what other processes did since this one last held the lock. It
// runs with the lock held; the common case, nobody else wrote, costs two
// stats.
func (t *Trail) refresh() error {
	if t.cur != nil {
		ok, err := t.stillOpen()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		t.dropCurrent()
	}
	return t.scan()
}

// stillOpen reports whether t.cur is still the trail's open file, updating
// its size, torn state and the chain head if another process appended.
func (t *Trail) stillOpen() (bool, error) {
	sealed, err := exists(filepath.Join(t.dir, digestName(t.curName)))
	if err != nil || sealed {
		return false, err
	}
	fi, err := os.Stat(filepath.Join(t.dir, t.curName))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	mine, err := t.cur.Stat()
	if err != nil {
		return false, fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	if !os.SameFile(fi, mine) {
		return false, nil
	}
	if fi.Size() == t.size {
		return true, nil
	}
	line, found, torn, err := lastLine(t.cur, fi.Size())
	if err != nil {
		return false, fmt.Errorf("audit trail %s: %w", t.curName, err)
	}
	if !found {
		return false, nil // the head lies in an earlier file: rescan
	}
	t.size, t.torn, t.head = fi.Size(), torn, lineHash(line)
	return true, nil
}

// scan finds the open file (the newest, unless it has a digest) and the
// chain head by listing the directory.
func (t *Trail) scan() error {
	l, err := listTrail(t.dir)
	if err != nil {
		return err
	}
	t.nextSeq, t.head = 1, ""
	if len(l.Logs) == 0 {
		return nil
	}
	last := l.Logs[len(l.Logs)-1]
	t.nextSeq = last.Seq + 1
	if t.head, err = chainHead(t.dir, l.Logs); err != nil {
		return err
	}
	if l.Digests[last.Name] {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(t.dir, last.Name), os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("audit trail %s: %w", last.Name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit trail %s: %w", last.Name, err)
	}
	_, _, torn, err := lastLine(f, fi.Size())
	if err != nil {
		f.Close()
		return fmt.Errorf("audit trail %s: %w", last.Name, err)
	}
	t.setCurrent(f, last.Name, last.Seq, last.Start, fi.Size(), torn)
	return nil
}

// chainHead returns the chain hash of the last complete record in logs,
// searching back from the newest file past files without one; "" for a
// trail without records.
func chainHead(dir string, logs []logFile) (string, error) {
	for i := len(logs) - 1; i >= 0; i-- {
		f, err := os.Open(filepath.Join(dir, logs[i].Name))
		if err != nil {
			return "", fmt.Errorf("audit trail %s: %w", logs[i].Name, err)
		}
		fi, err := f.Stat()
		var line []byte
		found := false
		if err == nil {
			line, found, _, err = lastLine(f, fi.Size())
		}
		f.Close()
		if err != nil {
			return "", fmt.Errorf("audit trail %s: %w", logs[i].Name, err)
		}
		if found {
			return lineHash(line), nil
		}
	}
	return "", nil
}
