package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkFile verifies log file i and its digest in one streaming pass,
// continuing the record chain from v.head.
func (v *verifier) checkFile(i int) {
	lf := v.list.Logs[i]
	f, err := os.Open(filepath.Join(v.dir, lf.Name))
	if err != nil {
		v.problem(lf.Seq, 0, Problem{File: lf.Name, Kind: KindUnreadable, Message: err.Error()})
		return
	}
	defer f.Close()
	before := len(v.suspects)
	v.validated = 0
	// Files only grow: reading up to the listed size sees what the snapshot
	// saw; a shorter file is for the chain and the digest to judge.
	sum, err := v.scanner.scan(io.NewSectionReader(f, 0, lf.Size), func(n int, line []byte, ls *[32]byte, prev []byte) {
		v.checkRecord(i, n, line, prev)
		v.notePhase(i, n, line)
		v.setHead(ls)
	})
	if err != nil {
		v.problem(lf.Seq, 0, Problem{File: lf.Name, Kind: KindUnreadable, Message: err.Error()})
		return
	}
	// The last record has no successor whose link would reveal an edit
	// that broke it, so it alone is parsed whatever the chain says.
	if sum.records > v.validated && !json.Valid(sum.lastLine) {
		v.notJSON(lf, sum.records)
	}
	v.rep.Files++
	v.checked = append(v.checked, lf)
	v.counts = append(v.counts, sum.records)
	v.rep.Records += sum.records

	// The first record the chain puts in doubt also explains a digest
	// mismatch; 1 (the whole file) when the chain found nothing.
	suspect := 0
	for _, s := range v.suspects[before:] {
		if suspect == 0 || int(s.line) < suspect {
			suspect = int(s.line)
		}
	}
	suspect = max(suspect, 1)

	newest := i == len(v.list.Logs)-1
	var d *Digest
	if v.list.Digests[lf.Name] {
		d = v.checkDigest(i, &sum, suspect)
	} else if !newest {
		v.problem(lf.Seq, 1, Problem{File: digestName(lf.Name), Kind: KindMissing,
			Message: "digest is missing, though " + lf.Name + " was closed (a later file exists)"})
	}
	if sum.torn && (d == nil || d.LastRecordIncomplete) {
		v.rep.Warnings = append(v.rep.Warnings, "last record of "+lf.Name+" incomplete (crash during write)")
	}
}

// checkRecord checks that record n of log file i chains to v.head. It
// reads prevHash off the line's end, where the writer puts it, and parses
// the JSON only when that fails or the chain breaks, to tell an altered
// record from a broken link: an edit that breaks a record also breaks the
// next record's link to it.
func (v *verifier) checkRecord(i, n int, line, prev []byte) {
	lf := v.list.Logs[i]
	ph, fast := trailingPrevHash(line)
	if !fast {
		v.validated = n
		var r struct {
			PrevHash *string `json:"prevHash"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			v.notJSON(lf, n)
			return
		} else if r.PrevHash == nil {
			v.problem(lf.Seq, n, Problem{File: lf.Name, Line: n, Kind: KindAltered, Message: "record has no prevHash (altered)"})
			return
		}
		ph = []byte(*r.PrevHash)
	}
	if v.chains(ph) {
		return
	}
	if n > 1 && v.validated < n-1 && !json.Valid(prev) {
		v.notJSON(lf, n-1)
	}
	if v.validated < n {
		v.validated = n
		if !json.Valid(line) {
			v.notJSON(lf, n)
			return
		}
	}
	switch {
	case n > 1:
		v.problem(lf.Seq, n-1, Problem{File: lf.Name, Line: n, Kind: KindAltered,
			Message: fmt.Sprintf("record does not chain to record %d (that record was altered, or records were removed or inserted between them)", n-1)})
	case i > 0:
		v.problem(lf.Seq, 1, Problem{File: lf.Name, Line: n, Kind: KindReordered,
			Message: "first record does not chain to the last record of " + v.list.Logs[i-1].Name + " (files reordered, or a file between them removed or altered)"})
	default:
		v.problem(lf.Seq, 1, Problem{File: lf.Name, Line: n, Kind: KindMissing,
			Message: "first record chains to a record that is not in the trail (earlier records removed)"})
	}
}

// notJSON reports record n of lf as not JSON.
func (v *verifier) notJSON(lf logFile, n int) {
	v.validated = max(v.validated, n)
	v.problem(lf.Seq, n, Problem{File: lf.Name, Line: n, Kind: KindAltered, Message: "record is not valid JSON (altered)"})
}

// Writers end every record with prevHash, Record's last field.
var (
	emptyPrevHash = []byte(`,"prevHash":""}`)
	prevHashKey   = []byte(`,"prevHash":"`)
)

// trailingPrevHash returns the prevHash value ending line, as the writer
// put it: empty or 64 hex digits, closing the object. ok is false for any
// other shape, which calls for parsing the line.
func trailingPrevHash(line []byte) (hash []byte, ok bool) {
	if bytes.HasSuffix(line, emptyPrevHash) {
		return nil, true
	}
	const k = len(`,"prevHash":"`)
	if len(line) < k+64+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, false
	}
	tail := line[len(line)-(k+64+2):]
	if !bytes.HasPrefix(tail, prevHashKey) {
		return nil, false
	}
	return tail[k : k+64], true
}

// chains reports whether a record with prevHash ph links to v.head.
func (v *verifier) chains(ph []byte) bool {
	if !v.headSet {
		return len(ph) == 0
	}
	return bytes.Equal(ph, v.head[:])
}

// setHead makes the line hashing to sum the chain's head.
func (v *verifier) setHead(sum *[32]byte) {
	hex.Encode(v.head[:], sum[:])
	v.headSet = true
}
