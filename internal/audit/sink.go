package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/syslog"
	"os"
)

// SinkSyslog, as Options.DigestSink, sends the anchor to the local syslog.
const SinkSyslog = "syslog"

// ship sends a copy of the anchor to the digest sink, if one is set: one
// JSON line, when a file is sealed and when the trail is closed. A sink
// the user cannot rewrite (an append-only file, syslog shipped elsewhere)
// keeps the high-water mark and the newest digest's hash even when the
// anchor is deleted along with the trail.
func (t *Trail) ship(a *Anchor) error {
	if t.sink == "" || a == nil || a.KeyFingerprint == "" {
		return nil
	}
	line, _ := json.Marshal(a) // no field can fail to encode
	if t.sink == SinkSyslog {
		w, err := syslog.New(syslog.LOG_INFO|syslog.LOG_AUTHPRIV, "qdev-audit")
		if err == nil {
			err = w.Info(string(line))
			w.Close()
		}
		if err != nil {
			return fmt.Errorf("audit digest sink syslog: %w", err)
		}
		return nil
	}
	f, err := os.OpenFile(t.sink, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if serr := f.Sync(); err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("audit digest sink %s: %w", t.sink, err)
	}
	return nil
}

// sinkAnchor returns the last anchor the sink file at path holds for the
// trail in dir, nil if none; syslog cannot be read back.
func sinkAnchor(path, dir string) (*Anchor, error) {
	if path == "" || path == SinkSyslog {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit digest sink %s: %w", path, err)
	}
	defer f.Close()
	var last *Anchor
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, slotSize), 1<<20)
	for sc.Scan() {
		var a Anchor
		if json.Unmarshal(sc.Bytes(), &a) == nil && absDir(a.Dir) == absDir(dir) && (last == nil || a.Gen >= last.Gen) {
			last = &a
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit digest sink %s: %w", path, err)
	}
	return last, nil
}
