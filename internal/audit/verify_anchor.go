package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Problem kinds found by comparing the trail with its trust anchor.
const (
	KindRolledBack = "rolled-back" // the trail is behind its high-water mark
	KindKey        = "key"         // the trail's key is not the pinned one
)

// endOfFile stands for "after every record" in a suspect's line, for
// problems about records that are gone rather than those still there.
const endOfFile = 1 << 40

// chooseKey settles which public key checks the digests: the one the
// administrator pins, else the one pinned at first use in the anchor, else
// the trail's own; a trail key that differs from a pinned one is reported,
// since whoever replaced it can re-sign every digest.
func (v *verifier) chooseKey(o VerifyOptions, a *Anchor, anchorFile string) {
	own := v.pub
	fp, pub := "", ed25519.PublicKey(nil)
	from := ""
	switch {
	case o.PinnedKey != "":
		var err error
		if fp, pub, err = ParsePinnedKey(o.PinnedKey); err != nil {
			v.problem(1, 0, Problem{File: v.keyFile, Kind: KindKey, Message: err.Error()})
			return
		}
		from = "the managed settings"
	case a != nil:
		fp, pub, from = a.KeyFingerprint, a.pinnedKey(), anchorFile+" at first use"
	default:
		return
	}
	switch {
	case own == nil && len(v.list.Logs) == 0 && errors.Is(v.keyErr, fs.ErrNotExist):
		// A trail not yet written has no key yet.
	case own == nil:
		v.problem(1, 0, Problem{File: v.keyFile, Kind: KindKey,
			Message: fmt.Sprintf("the trail's key is unusable (%v); the key pinned in %s checks the digests, but the writer cannot sign more", v.keyErr, from)})
		v.keyNote = true
	case Fingerprint(own) != fp:
		v.problem(1, 0, Problem{File: publicPath(v.keyFile), Kind: KindKey,
			Message: fmt.Sprintf("the trail's key %s is not %s, the key pinned in %s (key replaced)", Fingerprint(own), fp, from)})
		v.keyNote = true
	}
	if pub != nil {
		v.pub, v.keyErr = pub, nil
	} else if own != nil && Fingerprint(own) != fp {
		v.pub, v.keyErr = nil, fmt.Errorf("only the fingerprint %s of the pinned key is known", fp)
	}
}

// checkAnchor compares the trail with the high-water mark its writers kept
// outside it: the newest file and digest must still be there, as long as
// they were, ending with the same record.
func (v *verifier) checkAnchor(a *Anchor, anchorFile string) {
	logs := v.list.Logs
	gone := func(kind, file, msg string) {
		v.problem(a.Seq, endOfFile, Problem{File: file, Kind: kind, Message: msg + " (high-water mark in " + anchorFile + ")"})
	}
	if a.Seq == 0 {
		return
	}
	if len(logs) == 0 {
		gone(KindMissing, v.dir, fmt.Sprintf("the trail is empty, but it held log file %d, %s, with %d bytes (emptied)", a.Seq, a.File, a.Size))
		return
	}
	newest := logs[len(logs)-1]
	if newest.Seq < a.Seq {
		gone(KindRolledBack, newest.Name, fmt.Sprintf("the trail ends at log file %d, but it reached log file %d, %s (newest files deleted or an older copy restored)", newest.Seq, a.Seq, a.File))
	}
	i := slices.IndexFunc(logs, func(lf logFile) bool { return lf.Name == a.File })
	switch {
	case i < 0 && newest.Seq >= a.Seq:
		gone(KindMissing, a.File, fmt.Sprintf("log file %d, the newest when last written, is missing (deleted or replaced)", a.Seq))
	case i < 0:
	case logs[i].Size < a.Size:
		gone(KindRolledBack, a.File, fmt.Sprintf("holds %d bytes, but %d were written (records cut off or an older copy restored)", logs[i].Size, a.Size))
	default:
		v.checkMarkedRecord(a, anchorFile)
	}
	if a.DigestFile == "" {
		return
	}
	raw, err := os.ReadFile(filepath.Join(v.dir, a.DigestFile))
	switch {
	case os.IsNotExist(err):
		gone(KindMissing, a.DigestFile, "the newest digest written is missing (deleted)")
	case err != nil:
		gone(KindUnreadable, a.DigestFile, err.Error())
	case sha256Hex(raw) != a.DigestSHA256:
		gone(KindAltered, a.DigestFile, "the newest digest written differs from the one written (replaced)")
	}
}

// checkMarkedRecord checks that the record ending at the high-water mark
// is the one that was written there.
func (v *verifier) checkMarkedRecord(a *Anchor, anchorFile string) {
	f, err := os.Open(filepath.Join(v.dir, a.File))
	if err != nil {
		v.problem(a.Seq, endOfFile, Problem{File: a.File, Kind: KindUnreadable, Message: err.Error()})
		return
	}
	defer f.Close()
	line, found, _, err := lastLine(f, a.Size)
	if err == nil && (found && lineHash(line) == a.Head || !found && a.Head == "") {
		return
	}
	msg := "the record ending at byte " + strconv.FormatInt(a.Size, 10) + " is not the one written there (file replaced by another copy)"
	if err != nil {
		msg = err.Error()
	}
	v.problem(a.Seq, endOfFile, Problem{File: a.File, Kind: KindRolledBack, Message: msg + " (high-water mark in " + anchorFile + ")"})
}
