package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
)

// checkMark runs at the start of each commit, with the lock held and the
// trail refreshed: it loads the anchor, pins the key on first use, and
// refuses to write when the key is not the pinned one or the trail is
// behind the high-water mark, since writing then would move the mark back
// and hide what was removed.
func (t *Trail) checkMark() error {
	a, from, err := t.loadMark()
	if err != nil {
		return err
	}
	if a != nil && a == t.restored {
		// Put the mark back on disk first, refused or not, for verify.
		if err := writeSlot(t.anchorF, t.anchorFile, a, t.now()); err != nil {
			return err
		}
		t.saved = *a
	}
	if t.key == nil {
		if t.key, err = loadOrCreateKey(t.keyFile); err != nil {
			return err
		}
	}
	pub := t.key.Public().(ed25519.PublicKey)
	fp := Fingerprint(pub)
	if t.pinned != "" && fp != t.pinned {
		return fmt.Errorf("audit key %s: fingerprint %s is not %s, the one the managed settings pin", t.keyFile, fp, t.pinned)
	}
	if a == nil {
		a = &Anchor{Dir: absDir(t.dir), PublicKey: base64.StdEncoding.EncodeToString(pub), KeyFingerprint: fp,
			PinnedAt: t.now().UTC().Format(TimeFormat)}
	} else if a.KeyFingerprint != fp {
		return fmt.Errorf("audit key %s: fingerprint %s is not %s, the one pinned in %s at first use (key replaced)", t.keyFile, fp, a.KeyFingerprint, from)
	}
	t.anchor = a
	newest := t.nextSeq - 1
	switch {
	case a.Seq > newest:
		return errBehind(t.dir, from, fmt.Sprintf("ends at log file %d", newest))
	case a.Seq < newest || t.cur == nil:
	case t.curName != a.File:
		return errBehind(t.dir, from, fmt.Sprintf("log file %d is not %s", newest, a.File))
	case t.size < a.Size:
		return errBehind(t.dir, from, fmt.Sprintf("%s holds %d bytes, not %d", t.curName, t.size, a.Size))
	case t.size == a.Size && t.head != a.Head:
		return errBehind(t.dir, from, fmt.Sprintf("the last record of %s was replaced", t.curName))
	}
	// A file whose digest is gone looks open, and the writer would append
	// to it and seal it anew.
	if a.DigestFile != "" {
		if ok, err := exists(filepath.Join(t.dir, a.DigestFile)); err != nil || !ok {
			return errBehind(t.dir, from, "digest "+a.DigestFile+" is missing")
		}
	}
	return nil
}

// loadMark returns the anchor to check the trail against and where it
// comes from: the anchor file; else what this process last wrote there,
// when the file was deleted or replaced by an older copy since (so that
// deleting it mid-session does not reset the mark); else the sink's copy;
// else nil, for the trail's first use.
func (t *Trail) loadMark() (*Anchor, string, error) {
	if t.anchorF != nil {
		fi, err := os.Stat(t.anchorFile)
		mine, merr := t.anchorF.Stat()
		if err != nil || merr != nil || !os.SameFile(fi, mine) {
			t.anchorF.Close()
			t.anchorF = nil
		}
	}
	if t.anchorF == nil {
		f, err := openAnchor(t.anchorFile)
		if err != nil {
			return nil, "", err
		}
		t.anchorF = f
	}
	a, err := readAnchor(t.anchorF, t.anchorFile)
	if err != nil {
		return nil, "", err
	}
	if t.saved.KeyFingerprint != "" && (a == nil || a.Gen < t.saved.Gen) {
		saved := t.saved
		t.restored = &saved
		return &saved, t.anchorFile + " (as this process last wrote it)", nil
	}
	if a != nil {
		return a, t.anchorFile, nil
	}
	a, err = sinkAnchor(t.sink, t.dir)
	return a, t.sink, err
}

// markFile moves the high-water mark to the end of the open file, as far
// as it is durable.
func (t *Trail) markFile() {
	t.anchor.File, t.anchor.Seq, t.anchor.Size, t.anchor.Head = t.curName, t.curSeq, t.size, t.head
}

// markDigest records the digest just written for the open file.
func (t *Trail) markDigest(name string, data []byte) {
	t.anchor.DigestFile, t.anchor.DigestSHA256 = name, sha256Hex(data)
}

// saveMark writes the anchor after a commit, when it moved.
func (t *Trail) saveMark() error {
	if t.cur != nil {
		t.markFile()
	}
	if t.saved == *t.anchor {
		return nil
	}
	if err := writeSlot(t.anchorF, t.anchorFile, t.anchor, t.now()); err != nil {
		return err
	}
	t.saved = *t.anchor
	return nil
}
