package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Filter selects records for Lookup; zero fields match everything.
type Filter struct {
	// From and To bound eventTime, both inclusive.
	From, To time.Time
	// EventName, Tool and Decision match those fields exactly, ignoring case.
	EventName string
	Tool      string
	Decision  string
	// Text matches records whose JSON line contains it, ignoring case.
	Text string
	// Max stops after that many records; 0 means no limit.
	Max int
}

// match reports whether record r, read from line, passes f.
func (f *Filter) match(r *Record, line []byte) bool {
	if f.EventName != "" && !strings.EqualFold(f.EventName, r.EventName) ||
		f.Tool != "" && !strings.EqualFold(f.Tool, r.Tool) ||
		f.Decision != "" && !strings.EqualFold(f.Decision, r.Decision) {
		return false
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		t := r.Time()
		if t.IsZero() || !f.From.IsZero() && t.Before(f.From.Truncate(time.Second)) || !f.To.IsZero() && t.After(f.To) {
			return false
		}
	}
	return f.Text == "" || containsFold(line, f.Text)
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s []byte, sub string) bool {
	return bytes.Contains(bytes.ToLower(s), []byte(strings.ToLower(sub)))
}

// Lookup returns the records of the trail in dir that pass f, newest first
// (as aws cloudtrail lookup-events lists events). It reads only the files
// that can hold records of f's time span, skips lines that are not records
// (a line torn by a crash) and does not check the chain: use Verify for that.
func Lookup(dir string, f Filter) ([]Record, error) {
	l, err := snapshot(filepath.Clean(dir))
	if err != nil {
		return nil, err
	}
	first, last := selectFiles(l.Logs, f.From, f.To)
	var out []Record
	for i := last - 1; i >= first; i-- {
		lf := l.Logs[i]
		data, err := readPrefix(filepath.Join(dir, lf.Name), lf.Size)
		if err != nil {
			return out, fmt.Errorf("audit trail %s: %w", lf.Name, err)
		}
		lines, _ := splitLines(data)
		for k := len(lines) - 1; k >= 0; k-- {
			if f.Text != "" && !containsFold(lines[k], f.Text) {
				continue // cheap test first: most lines fail it
			}
			var r Record
			if json.Unmarshal(lines[k], &r) != nil || !f.match(&r, lines[k]) {
				continue
			}
			out = append(out, r)
			if f.Max > 0 && len(out) >= f.Max {
				return out, nil
			}
		}
	}
	return out, nil
}
