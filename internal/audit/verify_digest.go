package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// checkDigest verifies the digest of log file i against the file's summary
// and the previous digest, and returns it (nil when unreadable).
func (v *verifier) checkDigest(i int, sum *fileSummary, suspect int) *Digest {
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
	if hexOf(&sum.sum) != d.FileSHA256 {
		n := sum.records
		lastSame := n > 0 && hexOf(&sum.last) == d.LastRecordHash
		switch {
		case n < d.RecordCount && !lastSame:
			v.problem(lf.Seq, n+1, Problem{File: lf.Name, Kind: KindTruncated,
				Message: fmt.Sprintf("holds %d of the %d records its digest lists (truncated)", n, d.RecordCount)})
		case n != d.RecordCount:
			v.problem(lf.Seq, suspect, Problem{File: lf.Name, Kind: KindAltered,
				Message: fmt.Sprintf("holds %d records, its digest lists %d (records removed or inserted)", n, d.RecordCount)})
		case n > 0 && hexOf(&sum.first) != d.FirstRecordHash:
			v.problem(lf.Seq, 1, Problem{File: lf.Name, Line: 1, Kind: KindAltered, Message: "first record differs from its digest (altered)"})
		case n > 0 && !lastSame:
			v.problem(lf.Seq, n, Problem{File: lf.Name, Line: n, Kind: KindAltered, Message: "last record differs from its digest (altered)"})
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
