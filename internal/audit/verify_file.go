package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// checkFile verifies log file i and its digest, given the chain hash of the
// last record before it, and returns the chain hash after it.
func (v *verifier) checkFile(i int, head string) string {
	lf := v.list.Logs[i]
	data, err := readPrefix(filepath.Join(v.dir, lf.Name), lf.Size)
	if err != nil {
		v.problem(lf.Seq, 0, Problem{File: lf.Name, Kind: KindUnreadable, Message: err.Error()})
		return head
	}
	v.rep.Files++
	lines, torn := splitLines(data)
	v.checked = append(v.checked, lf)
	v.counts = append(v.counts, len(lines))
	v.rep.Records += len(lines)

	before := len(v.suspects)
	for k, line := range lines {
		n := k + 1
		var r struct {
			PrevHash *string `json:"prevHash"`
		}
		switch err := json.Unmarshal(line, &r); {
		case err != nil:
			v.problem(lf.Seq, n, Problem{File: lf.Name, Line: n, Kind: KindAltered, Message: "record is not valid JSON (altered)"})
		case r.PrevHash == nil:
			v.problem(lf.Seq, n, Problem{File: lf.Name, Line: n, Kind: KindAltered, Message: "record has no prevHash (altered)"})
		case *r.PrevHash != head && n > 1:
			v.problem(lf.Seq, n-1, Problem{File: lf.Name, Line: n, Kind: KindAltered,
				Message: fmt.Sprintf("record does not chain to record %d (that record was altered, or records were removed or inserted between them)", n-1)})
		case *r.PrevHash != head && i > 0:
			v.problem(lf.Seq, 1, Problem{File: lf.Name, Line: n, Kind: KindReordered,
				Message: "first record does not chain to the last record of " + v.list.Logs[i-1].Name + " (files reordered, or a file between them removed or altered)"})
		case *r.PrevHash != head:
			v.problem(lf.Seq, 1, Problem{File: lf.Name, Line: n, Kind: KindMissing,
				Message: "first record chains to a record that is not in the trail (earlier records removed)"})
		}
		head = lineHash(line)
	}
	// The first record the chain puts in doubt also explains a digest
	// mismatch; 1 (the whole file) when the chain found nothing.
	suspect := 0
	for _, s := range v.suspects[before:] {
		if suspect == 0 || int(s[1]) < suspect {
			suspect = int(s[1])
		}
	}
	suspect = max(suspect, 1)

	newest := i == len(v.list.Logs)-1
	var d *Digest
	if v.list.Digests[lf.Name] {
		d = v.checkDigest(i, data, lines, suspect)
	} else if !newest {
		v.problem(lf.Seq, 1, Problem{File: digestName(lf.Name), Kind: KindMissing,
			Message: "digest is missing, though " + lf.Name + " was closed (a later file exists)"})
	}
	if torn != nil && (d == nil || d.LastRecordIncomplete) {
		v.rep.Warnings = append(v.rep.Warnings, "last record of "+lf.Name+" incomplete (crash during write)")
	}
	return head
}

// checkDigest verifies the digest of log file i against the file's bytes
// and the previous digest, and returns it (nil when unreadable).
func (v *verifier) checkDigest(i int, data []byte, lines [][]byte, suspect int) *Digest {
	lf := v.list.Logs[i]
	dname := digestName(lf.Name)
	raw, err := os.ReadFile(filepath.Join(v.dir, dname))
	if err != nil {
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindUnreadable, Message: err.Error()})
		return nil
	}
	v.rep.Digests++
	d, err := parseDigest(raw)
	if err != nil {
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindAltered, Message: err.Error()})
		return nil
	}
	v.checkSignature(lf, dname, d)
	if d.FileName != lf.Name {
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindAltered,
			Message: fmt.Sprintf("digest is for %s, not %s (digests swapped or renamed)", d.FileName, lf.Name)})
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != d.FileSHA256 {
		lastSame := len(lines) > 0 && lineHash(lines[len(lines)-1]) == d.LastRecordHash
		switch {
		case len(lines) < d.RecordCount && !lastSame:
			v.problem(lf.Seq, len(lines)+1, Problem{File: lf.Name, Kind: KindTruncated,
				Message: fmt.Sprintf("holds %d of the %d records its digest lists (truncated)", len(lines), d.RecordCount)})
		case len(lines) != d.RecordCount:
			v.problem(lf.Seq, suspect, Problem{File: lf.Name, Kind: KindAltered,
				Message: fmt.Sprintf("holds %d records, its digest lists %d (records removed or inserted)", len(lines), d.RecordCount)})
		case len(lines) > 0 && lineHash(lines[0]) != d.FirstRecordHash:
			v.problem(lf.Seq, 1, Problem{File: lf.Name, Line: 1, Kind: KindAltered, Message: "first record differs from its digest (altered)"})
		case len(lines) > 0 && lineHash(lines[len(lines)-1]) != d.LastRecordHash:
			v.problem(lf.Seq, len(lines), Problem{File: lf.Name, Line: len(lines), Kind: KindAltered, Message: "last record differs from its digest (altered)"})
		default:
			v.problem(lf.Seq, suspect, Problem{File: lf.Name, Kind: KindAltered, Message: "content differs from its digest (altered)"})
		}
	}
	v.checkDigestChain(i, dname, d)
	return d
}

// checkSignature checks d's signature with the trail's public key.
func (v *verifier) checkSignature(lf logFile, dname string, d *Digest) {
	switch {
	case v.pub == nil:
		if !v.keyNote {
			v.keyNote = true
			v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindSignature,
				Message: "cannot check digest signatures: " + v.keyErr.Error()})
		}
	case d.DigestPublicKeyFingerprint != Fingerprint(v.pub):
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindSignature,
			Message: fmt.Sprintf("signed by another key (fingerprint %q, the trail's key is %s)", d.DigestPublicKeyFingerprint, Fingerprint(v.pub))})
	case !d.checkSignature(v.pub):
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindSignature, Message: "signature does not match the digest (altered or forged)"})
	}
}

// checkDigestChain checks that d links to the newest digest before it,
// which is the one its writer chained to.
func (v *verifier) checkDigestChain(i int, dname string, d *Digest) {
	lf := v.list.Logs[i]
	var prevName string
	var prevSeq int64
	for j := i - 1; j >= 0; j-- {
		if v.list.Digests[v.list.Logs[j].Name] {
			prevName, prevSeq = digestName(v.list.Logs[j].Name), v.list.Logs[j].Seq
			break
		}
	}
	if prevName == "" {
		if d.PreviousDigestSHA256 != nil && lf.Seq > 1 {
			v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindMissing, Message: "the digest it chains to is missing"})
		} else if d.PreviousDigestSHA256 != nil {
			v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindAltered, Message: "the trail's first digest chains to a previous one (altered)"})
		}
		return
	}
	raw, err := os.ReadFile(filepath.Join(v.dir, prevName))
	if err != nil {
		v.problem(prevSeq, 1, Problem{File: prevName, Kind: KindUnreadable, Message: err.Error()})
		return
	}
	prev, perr := parseDigest(raw)
	sum := sha256.Sum256(raw)
	gap := prevSeq != lf.Seq-1 // what lies between is reported as missing
	switch {
	case gap && (d.PreviousDigestSHA256 == nil || *d.PreviousDigestSHA256 != hex.EncodeToString(sum[:])):
		v.problem(prevSeq+1, 1, Problem{File: dname, Kind: KindMissing, Message: "does not chain to " + prevName + ": the digest it chains to is missing"})
	case d.PreviousDigestSHA256 == nil || d.PreviousDigestSignature == nil:
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindAltered, Message: "does not chain to " + prevName + " (previous digest fields are null)"})
	// A digest whose own signature holds is authentic, so a broken link
	// puts in doubt the later one; the signature check blames the earlier
	// one when it is the forgery.
	case *d.PreviousDigestSHA256 != hex.EncodeToString(sum[:]):
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindAltered,
			Message: "does not chain to " + prevName + ": its hash differs from the one recorded here (a digest altered or replaced)"})
	case perr == nil && *d.PreviousDigestSignature != prev.Signature:
		v.problem(lf.Seq, 1, Problem{File: dname, Kind: KindAltered,
			Message: "does not chain to " + prevName + ": its signature differs from the one recorded here"})
	}
}
