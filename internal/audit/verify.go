package audit

import (
	"cmp"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Problem kinds: what Verify found wrong.
const (
	KindAltered    = "altered"    // bytes changed: a record, a file or a digest
	KindMissing    = "missing"    // a log file or a digest is gone
	KindReordered  = "reordered"  // files do not chain in sequence order
	KindTruncated  = "truncated"  // records cut off a sealed file
	KindSignature  = "signature"  // a digest's signature does not check out
	KindUnreadable = "unreadable" // the trail could not be read
)

// Problem is one thing wrong with a trail.
type Problem struct {
	// File is the log or digest file concerned (base name).
	File string `json:"file"`
	// Line is the record's line in File (1-based), 0 for the whole file.
	Line    int    `json:"line,omitempty"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// String returns "FILE:LINE: message", or "FILE: message" for a whole file.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Position names one record of a trail.
type Position struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	EventID   string `json:"eventID,omitempty"`
	EventTime string `json:"eventTime,omitempty"`
}

// Report is the outcome of Verify.
type Report struct {
	Dir     string `json:"dir"`
	Files   int    `json:"files"`   // log files checked
	Digests int    `json:"digests"` // digests checked
	Records int    `json:"records"` // complete records checked
	// Problems lists everything that shows tampering or loss, in trail order.
	Problems []Problem `json:"problems"`
	// Warnings lists what is not tampering but worth knowing: a record torn
	// by a crash ("last record of FILE incomplete (crash during write)").
	Warnings []string `json:"warnings"`
	// TrustedThrough is the last record up to which everything checked out:
	// the last record checked when there is no problem, the last one before
	// the earliest problem otherwise; nil when no record can be trusted.
	TrustedThrough *Position `json:"trustedThrough"`
}

// OK reports whether the trail showed no problem (warnings allowed).
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// VerifyOptions selects what VerifyWith checks.
type VerifyOptions struct {
	// From and To limit the check to log files holding records of that time
	// span, plus the links to their neighbours; zero means unbounded.
	From, To time.Time
	// KeyFile is the signing key's path (its ".pub" file suffices); KeyPath
	// of the directory when empty.
	KeyFile string
	// AnchorFile is the trail's Anchor; AnchorPath of the directory when
	// empty.
	AnchorFile string
	// DigestSink is the sink the writers ship the anchor to; when it is a
	// file, its last anchor for the trail is checked like the local one.
	DigestSink string
	// PinnedKey is the key the administrator pins (see ParsePinnedKey),
	// if any; it takes precedence over the one pinned in the anchor.
	PinnedKey string
}

// Verify checks the trail in dir between from and to (zero: unbounded) with
// the key at KeyPath(dir); see VerifyWith.
func Verify(dir string, from, to time.Time) Report {
	return VerifyWith(dir, VerifyOptions{From: from, To: to})
}

// VerifyWith checks the trail in dir: every record chains to the one before
// it (across files), every closed log file matches its signed digest, the
// digests chain, and no file is missing, reordered or truncated; the
// trail reaches its high-water mark and its key is the pinned one (see
// Anchor); and every call that started has an outcome. It reports
// every problem found rather than stopping at the first, and never changes
// the trail.
func VerifyWith(dir string, o VerifyOptions) Report {
	dir = filepath.Clean(dir)
	v := &verifier{dir: dir, rep: Report{Dir: dir, Problems: []Problem{}, Warnings: []string{}}}
	l, err := snapshot(dir)
	if err != nil {
		v.rep.Problems = append(v.rep.Problems, Problem{File: dir, Kind: KindUnreadable, Message: err.Error()})
		return v.rep
	}
	v.list = l
	keyFile := o.KeyFile
	if keyFile == "" {
		keyFile = KeyPath(dir)
	}
	v.keyFile = keyFile
	v.pub, v.keyErr = LoadPublicKey(keyFile)
	anchorFile := o.AnchorFile
	if anchorFile == "" {
		anchorFile = AnchorPath(dir)
	}
	a, err := ReadAnchor(anchorFile)
	if err != nil {
		v.problem(1, 0, Problem{File: anchorFile, Kind: KindUnreadable, Message: err.Error()})
	}
	v.chooseKey(o, a, anchorFile)
	shipped, serr := sinkAnchor(o.DigestSink, dir)
	if serr != nil {
		v.problem(1, 0, Problem{File: o.DigestSink, Kind: KindUnreadable, Message: serr.Error()})
	}
	if shipped != nil {
		v.checkAnchor(shipped, o.DigestSink)
		if v.pub != nil && Fingerprint(v.pub) != shipped.KeyFingerprint {
			v.problem(1, 0, Problem{File: o.DigestSink, Kind: KindKey,
				Message: fmt.Sprintf("the trail's key %s is not %s, the key the digest sink recorded (key replaced)", Fingerprint(v.pub), shipped.KeyFingerprint)})
		}
	}
	switch {
	case a != nil:
		v.checkAnchor(a, anchorFile)
	case err == nil && len(l.Logs) > 0:
		v.rep.Warnings = append(v.rep.Warnings, "no trust anchor at "+anchorFile+
			": the newest records or files, the whole trail or the key could have been removed or replaced unseen")
	}

	first, last := selectFiles(l.Logs, o.From, o.To)
	v.checkStructure(first, last)
	if first > 0 {
		head, err := chainHead(dir, l.Logs[:first])
		if err != nil {
			v.problem(l.Logs[first-1].Seq, 0, Problem{File: l.Logs[first-1].Name, Kind: KindUnreadable, Message: err.Error()})
		}
		v.headSet = copy(v.head[:], head) == len(v.head)
	}
	for i := first; i < last; i++ {
		v.checkFile(i)
	}
	if first < last {
		v.reportUnfinished(last == len(l.Logs), l.Logs[last-1].Seq)
	}
	v.finish()
	return v.rep
}

// selectFiles returns the index range [first, last) of the log files that
// may hold records between from and to: file i holds records from its
// creation until the next file's.
func selectFiles(logs []logFile, from, to time.Time) (first, last int) {
	first, last = len(logs), 0
	for i, lf := range logs {
		if !to.IsZero() && lf.Start.After(to) {
			continue
		}
		if !from.IsZero() && i+1 < len(logs) && logs[i+1].Start.Before(from) {
			continue
		}
		first, last = min(first, i), i+1
	}
	if first > last {
		return 0, 0
	}
	return first, last
}

// verifier carries one Verify run.
type verifier struct {
	dir     string
	list    listing
	keyFile string
	pub     ed25519.PublicKey
	keyErr  error
	keyNote bool // the key problem was reported
	rep     Report
	// suspects are the problems' positions, one per problem: the earliest
	// that ends trust decides TrustedThrough.
	suspects []suspect
	// checked are the files read, in order, with their record counts.
	checked []logFile
	counts  []int

	scanner scanner
	// head is the chain hash (hex) of the last record read, if headSet.
	head    [64]byte
	headSet bool
	// validated is the last record of the current file parsed as JSON.
	validated int
	// intents are the intent records without an outcome so far, by eventID.
	intents map[string]openIntent
}

// suspect is where a problem lies: log file seq, record line (0 or 1: the
// whole file). keepsTrust marks problems that do not put records in doubt.
type suspect struct {
	seq, line  int64
	keepsTrust bool
}

// problem records p, with trust ending before record line of file seq (line
// 0 or 1: before the file).
func (v *verifier) problem(seq int64, line int, p Problem) {
	v.rep.Problems = append(v.rep.Problems, p)
	v.suspects = append(v.suspects, suspect{seq: seq, line: int64(line)})
}

// checkStructure looks for gaps and duplicates in the sequence of the log
// files first to last (exclusive) and their neighbours, and for digests
// there whose log file is gone.
func (v *verifier) checkStructure(first, last int) {
	logs := v.list.Logs
	if first >= last {
		return
	}
	if first == 0 && logs[0].Seq != 1 {
		v.problem(1, 0, Problem{File: logs[0].Name, Kind: KindMissing,
			Message: fmt.Sprintf("the files before this one are missing (the trail starts at number %d, not 1)", logs[0].Seq)})
	}
	for i := max(first, 1); i < min(last+1, len(logs)); i++ {
		a, b := logs[i-1], logs[i]
		switch {
		case a.Seq == b.Seq:
			v.problem(b.Seq, 0, Problem{File: b.Name, Kind: KindReordered, Message: "has the same number as " + a.Name})
		case b.Seq == a.Seq+2:
			v.problem(a.Seq+1, 0, Problem{File: b.Name, Kind: KindMissing,
				Message: fmt.Sprintf("log file %d before this one is missing", a.Seq+1)})
		case b.Seq > a.Seq+2:
			v.problem(a.Seq+1, 0, Problem{File: b.Name, Kind: KindMissing,
				Message: fmt.Sprintf("log files %d to %d before this one are missing", a.Seq+1, b.Seq-1)})
		}
	}
	lo, hi := int64(0), int64(1<<62)
	if first > 0 {
		lo = logs[first-1].Seq
	}
	if last < len(logs) {
		hi = logs[last].Seq
	}
	names := make(map[string]bool, len(logs))
	for _, lf := range logs {
		names[lf.Name] = true
	}
	var orphans []string
	for name := range v.list.Digests {
		if !names[name] {
			orphans = append(orphans, name)
		}
	}
	slices.Sort(orphans)
	for _, name := range orphans {
		seq, _ := strconv.ParseInt(trailName.FindStringSubmatch(name)[2], 10, 64)
		if seq > lo && seq < hi {
			v.problem(seq, 0, Problem{File: name, Kind: KindMissing, Message: "log file is missing; its digest " + digestName(name) + " remains"})
		}
	}
}

// finish sorts the problems into trail order and works out TrustedThrough.
func (v *verifier) finish() {
	order := make([]int, len(v.rep.Problems))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := v.suspects[a], v.suspects[b]
		return cmp.Or(cmp.Compare(sa.seq, sb.seq), cmp.Compare(sa.line, sb.line))
	})
	probs := make([]Problem, len(order))
	for i, j := range order {
		probs[i] = v.rep.Problems[j]
	}
	v.rep.Problems = probs

	limit := suspect{seq: 1<<62 - 1}
	for _, s := range v.suspects {
		if !s.keepsTrust && (s.seq < limit.seq || s.seq == limit.seq && s.line < limit.line) {
			limit = s
		}
	}
	for i := len(v.checked) - 1; i >= 0; i-- {
		lf, n := v.checked[i], v.counts[i]
		if lf.Seq > limit.seq || n == 0 {
			continue
		}
		if lf.Seq == limit.seq {
			n = min(n, int(limit.line)-1)
			if n < 1 {
				continue
			}
		}
		v.rep.TrustedThrough = v.position(lf, n)
		return
	}
}

// position describes record line of file lf.
func (v *verifier) position(lf logFile, line int) *Position {
	p := &Position{File: lf.Name, Line: line}
	f, err := os.Open(filepath.Join(v.dir, lf.Name))
	if err != nil {
		return p
	}
	defer f.Close()
	var r struct{ EventID, EventTime string }
	_, _ = v.scanner.scan(io.NewSectionReader(f, 0, lf.Size), func(n int, l []byte, _ *[32]byte, _ []byte) {
		if n == line && json.Unmarshal(l, &r) == nil {
			p.EventID, p.EventTime = r.EventID, r.EventTime
		}
	})
	return p
}
