package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureAlgorithm is the digestSignatureAlgorithm of qdev's digests.
const SignatureAlgorithm = "Ed25519"

// digestVersion starts the signed string, so that a later format cannot be
// confused with this one.
const digestVersion = "qdev-audit-digest/1"

// Digest seals one closed log file. It follows CloudTrail's digest design:
// the file's hash, a link to the previous digest by hash and signature, and
// a signature over all of it; the field names are CloudTrail's where it has
// them.
type Digest struct {
	// DigestStartTime is when the log file was created, DigestEndTime when it
	// was sealed (TimeFormat).
	DigestStartTime string `json:"digestStartTime"`
	DigestEndTime   string `json:"digestEndTime"`
	// FileName is the log file's base name.
	FileName string `json:"fileName"`
	// FileSHA256 is the SHA-256 (hex) of the file's exact bytes.
	FileSHA256 string `json:"fileSHA256"`
	// RecordCount counts the file's complete lines.
	RecordCount int `json:"recordCount"`
	// FirstRecordHash and LastRecordHash are the chain hashes (see lineHash)
	// of the file's first and last complete records; empty without records.
	FirstRecordHash string `json:"firstRecordHash"`
	LastRecordHash  string `json:"lastRecordHash"`
	// LastRecordIncomplete says the file ends with a line torn by a crash.
	LastRecordIncomplete bool `json:"lastRecordIncomplete"`
	// PreviousDigestSHA256 is the SHA-256 (hex) of the previous digest
	// file's exact bytes, PreviousDigestSignature its signature; both null
	// for the trail's first digest.
	PreviousDigestSHA256    *string `json:"previousDigestSHA256"`
	PreviousDigestSignature *string `json:"previousDigestSignature"`
	// DigestPublicKeyFingerprint names the key that signed (see Fingerprint).
	DigestPublicKeyFingerprint string `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm   string `json:"digestSignatureAlgorithm"`
	// Signature is the hex Ed25519 signature of SigningString.
	Signature string `json:"signature"`
}

// SigningString returns the canonical form that Signature signs: every
// other field, one per line in declaration order, "null" standing for an
// absent previous digest. None of the fields can contain a newline.
func (d *Digest) SigningString() string {
	orNull := func(s *string) string {
		if s == nil {
			return "null"
		}
		return *s
	}
	return strings.Join([]string{
		digestVersion,
		d.DigestStartTime,
		d.DigestEndTime,
		d.FileName,
		d.FileSHA256,
		strconv.Itoa(d.RecordCount),
		d.FirstRecordHash,
		d.LastRecordHash,
		strconv.FormatBool(d.LastRecordIncomplete),
		orNull(d.PreviousDigestSHA256),
		orNull(d.PreviousDigestSignature),
		d.DigestPublicKeyFingerprint,
		d.DigestSignatureAlgorithm,
	}, "\n")
}

// sign fills the key fields and Signature.
func (d *Digest) sign(priv ed25519.PrivateKey) {
	d.DigestPublicKeyFingerprint = Fingerprint(priv.Public().(ed25519.PublicKey))
	d.DigestSignatureAlgorithm = SignatureAlgorithm
	d.Signature = hex.EncodeToString(ed25519.Sign(priv, []byte(d.SigningString())))
}

// checkSignature reports whether d was signed by pub.
func (d *Digest) checkSignature(pub ed25519.PublicKey) bool {
	sig, err := hex.DecodeString(d.Signature)
	return err == nil && d.DigestSignatureAlgorithm == SignatureAlgorithm &&
		ed25519.Verify(pub, []byte(d.SigningString()), sig)
}

// digestOf describes log file name, created at start and summarized by s,
// chained to the previous digest file's bytes prev (nil for the first).
func digestOf(name string, start, end time.Time, s fileSummary, prev []byte) (*Digest, error) {
	d := &Digest{
		DigestStartTime:      start.UTC().Format(TimeFormat),
		DigestEndTime:        end.UTC().Format(TimeFormat),
		FileName:             name,
		FileSHA256:           hexOf(&s.sum),
		RecordCount:          s.records,
		LastRecordIncomplete: s.torn,
	}
	if s.records > 0 {
		d.FirstRecordHash = hexOf(&s.first)
		d.LastRecordHash = hexOf(&s.last)
	}
	if prev != nil {
		p, err := parseDigest(prev)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(prev)
		hs := hex.EncodeToString(h[:])
		d.PreviousDigestSHA256, d.PreviousDigestSignature = &hs, &p.Signature
	}
	return d, nil
}

// parseDigest reads a digest file's bytes.
func parseDigest(data []byte) (*Digest, error) {
	var d Digest
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("not a digest: %w", err)
	}
	if d.FileName == "" || d.Signature == "" {
		return nil, fmt.Errorf("not a digest: fileName or signature missing")
	}
	return &d, nil
}

// marshal returns the digest file's bytes.
func (d *Digest) marshal() []byte {
	b, _ := json.MarshalIndent(d, "", "  ") // no field can fail to encode
	return append(b, '\n')
}
