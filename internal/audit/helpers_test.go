package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake time source that moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(s string) *clock {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &clock{t: t}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rec returns a valid record numbered n.
func rec(n int) Record {
	return Record{
		Tool:              "execute_bash",
		Decision:          "allow",
		UserIdentity:      UserIdentity{Type: "LocalUser", UserName: "dev"},
		RequestParameters: json.RawMessage(fmt.Sprintf(`{"command":"echo %d"}`, n)),
		ConversationID:    "conv-1",
	}
}

// openTrail opens a trail in a fresh directory with the clock c.
func openTrail(t *testing.T, c *clock, maxBytes int64) (*Trail, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "audit")
	tr, err := Open(dir, Options{MaxFileBytes: maxBytes, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr, dir
}

func mustAppend(t *testing.T, tr *Trail, r Record) {
	t.Helper()
	if err := tr.Append(r); err != nil {
		t.Fatal(err)
	}
}

// logNames returns the trail's log files in order.
func logNames(t *testing.T, dir string) []string {
	t.Helper()
	l, err := listTrail(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, lf := range l.Logs {
		names = append(names, lf.Name)
	}
	return names
}

// readLines returns the lines of a log file, without newlines.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// mustOK fails unless r shows no problem and no warning.
func mustOK(t *testing.T, r Report) {
	t.Helper()
	if !r.OK() || len(r.Warnings) > 0 {
		t.Fatalf("verify: problems %v, warnings %v", r.Problems, r.Warnings)
	}
}

// hasKind reports whether r has a problem of kind k.
func hasKind(r Report, k string) bool {
	for _, p := range r.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

// newDigest describes, as seal does from the file, log file name, created at start, with content data,
// chained to the previous digest file's bytes prev (nil for the first).
func newDigest(name string, start, end time.Time, data, prev []byte) (*Digest, error) {
	var s scanner
	sum, err := s.scan(bytes.NewReader(data), nil)
	if err != nil {
		return nil, err
	}
	return digestOf(name, start, end, sum, prev)
}
