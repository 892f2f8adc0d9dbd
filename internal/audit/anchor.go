package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/paths"
)

// Anchor is what a trail's writers keep about it outside the trail, so
// that Verify can tell a trail cut short, emptied, rolled back or re-keyed
// from an intact one: the public key pinned at first use and the trail's
// high-water mark. Writers only move the mark forward, and refuse to write
// to a trail that is behind it.
type Anchor struct {
	// Dir is the trail directory the anchor belongs to.
	Dir string `json:"dir"`
	// PublicKey is the signing key's public half (base64), pinned when the
	// trail's first record was written; KeyFingerprint its Fingerprint.
	PublicKey      string `json:"publicKey"`
	KeyFingerprint string `json:"keyFingerprint"`
	PinnedAt       string `json:"pinnedAt"`
	// The high-water mark: the newest log file (name and number) and how
	// many of its bytes were durable, ending with the record whose chain
	// hash is Head.
	File string `json:"file"`
	Seq  int64  `json:"seq"`
	Size int64  `json:"size"`
	Head string `json:"head"`
	// DigestFile and DigestSHA256 name the newest digest written and the
	// SHA-256 of its bytes; empty before the first seal.
	DigestFile   string `json:"digestFile,omitempty"`
	DigestSHA256 string `json:"digestSHA256,omitempty"`
	// Gen counts the anchor's updates; Updated is the last one's time.
	Gen     int64  `json:"gen"`
	Updated string `json:"updated"`
}

// AnchorPath returns where the anchor of the trail in dir is kept unless
// configured: a file named after the directory under q's configuration
// directory, which the sandbox keeps read-only for the agent's commands,
// while the trail itself may lie elsewhere.
func AnchorPath(dir string) string {
	sum := sha256.Sum256([]byte(absDir(dir)))
	return filepath.Join(paths.ConfigDir(), "audit-anchors", hex.EncodeToString(sum[:8])+".json")
}

// The anchor file holds two slots of slotSize bytes, written in turn, each
// one line: the SHA-256 (hex) of the JSON that follows it, a space, the
// Anchor's JSON, spaces up to the slot's end and a newline. The valid slot
// of the higher generation wins, so a write torn by a crash leaves the
// other slot, one update older, in force. Writing a slot in place costs a
// single pwrite, where replacing a file by rename would make the file
// system flush it on the commit path.
const slotSize = 4096

// absDir is dir made absolute and clean, as anchors name trails.
func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// ReadAnchor reads the anchor at path; a missing file gives nil, nil.
func ReadAnchor(path string) (*Anchor, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit anchor %s: %w", path, err)
	}
	defer f.Close()
	return readAnchor(f, path)
}

// readAnchor reads the anchor file open as f; an empty file gives nil, nil.
func readAnchor(f *os.File, path string) (*Anchor, error) {
	var buf [2 * slotSize]byte
	n, err := f.ReadAt(buf[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("audit anchor %s: %w", path, err)
	}
	if n == 0 {
		return nil, nil
	}
	var best *Anchor
	for i := 0; i*slotSize < n; i++ {
		if a := decodeSlot(buf[i*slotSize : min(n, (i+1)*slotSize)]); a != nil && (best == nil || a.Gen > best.Gen) {
			best = a
		}
	}
	if best == nil {
		return nil, fmt.Errorf("audit anchor %s: no intact slot (altered)", path)
	}
	return best, nil
}

// decodeSlot returns the anchor in one slot, nil when it is not intact.
func decodeSlot(b []byte) *Anchor {
	b = bytes.TrimRight(b, " \n")
	if len(b) < 66 || b[64] != ' ' || sha256Hex(b[65:]) != string(b[:64]) {
		return nil
	}
	var a Anchor
	if json.Unmarshal(b[65:], &a) != nil || a.KeyFingerprint == "" {
		return nil
	}
	return &a
}

// writeSlot writes a, with the next generation, into the slot after the
// one it was read from. It does not sync: the mark is written only after
// the bytes it covers are durable, so after a crash it can lag behind the
// trail but never lead it, and lagging is harmless.
func writeSlot(f *os.File, path string, a *Anchor, now time.Time) error {
	a.Gen++
	a.Updated = now.UTC().Format(TimeFormat)
	body, _ := json.Marshal(a) // no field can fail to encode
	if 65+len(body)+1 > slotSize {
		return fmt.Errorf("audit anchor %s: %d bytes do not fit a slot (is the directory's name that long?)", path, len(body))
	}
	slot := make([]byte, slotSize)
	copy(slot, sha256Hex(body))
	slot[64] = ' '
	copy(slot[65:], body)
	for i := 65 + len(body); i < slotSize-1; i++ {
		slot[i] = ' '
	}
	slot[slotSize-1] = '\n'
	if _, err := f.WriteAt(slot, int64(a.Gen%2)*slotSize); err != nil {
		return fmt.Errorf("audit anchor %s: %w", path, err)
	}
	return nil
}

// openAnchor opens the anchor file for reading and writing, creating it
// and its directory (0700) when needed.
func openAnchor(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit anchor %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit anchor %s: %w", path, err)
	}
	return f, nil
}

// pinnedKey returns the anchor's public key, nil when it holds none.
func (a *Anchor) pinnedKey() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(a.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize || Fingerprint(b) != a.KeyFingerprint {
		return nil
	}
	return b
}

// sha256Hex returns the SHA-256 of data, hex.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// errBehind is the writer's refusal to append to a trail behind its mark.
func errBehind(dir, anchor, what string) error {
	return fmt.Errorf("audit trail %s: %s, behind its high-water mark in %s (files deleted or an older copy restored); run q audit verify", dir, what, anchor)
}

// ParsePinnedKey reads a key as an administrator pins it: a fingerprint
// (32 hex digits, see Fingerprint), a PEM "PUBLIC KEY" block (the content
// of the trail's .key.pub), its base64 body alone, or the base64 of the
// 32-byte Ed25519 public key. It returns the fingerprint,
// and the key when s holds one.
func ParsePinnedKey(s string) (string, ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if len(s) == 32 {
		if _, err := hex.DecodeString(s); err == nil {
			return strings.ToLower(s), nil, nil
		}
	}
	der, err := base64.StdEncoding.DecodeString(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der, err = block.Bytes, nil
	}
	if err == nil && len(der) == ed25519.PublicKeySize {
		return Fingerprint(der), ed25519.PublicKey(der), nil
	}
	if err == nil {
		k, _ := x509.ParsePKIXPublicKey(der)
		if pub, ok := k.(ed25519.PublicKey); ok {
			return Fingerprint(pub), pub, nil
		}
	}
	return "", nil, fmt.Errorf("audit pinned key %q: not a fingerprint (32 hex digits), or an Ed25519 public key in PEM or base64", cut(s, 80))
}
