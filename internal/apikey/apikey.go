// Package apikey makes, recognises and hashes the organisation service's API
// keys: "qdev_" followed by 43 base64url characters (256 random bits). Only
// a key's SHA-256 hash is ever stored, so a leaked database does not leak
// usable keys, and a hash of a high-entropy secret needs no slow KDF. A
// key's first characters, stored in clear, find its record; the hashes are
// then compared in constant time.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Prefix starts every key, so that secret scanners and people recognise one.
const Prefix = "qdev_"

// secretLen is the length of the base64url (unpadded) encoding of 32 bytes.
const secretLen = 43

// ErrMalformed is returned by Parse for text that is not an API key. Its
// message never repeats the text, which may be a mistyped secret.
var ErrMalformed = errors.New("malformed API key (expected qdev_ followed by 43 characters)")

// New returns a fresh random key. It panics only if the system's random
// source fails, which crypto/rand documents as unrecoverable.
func New() string {
	var b [32]byte
	rand.Read(b[:])
	return Prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Parse checks that s has the shape of a key and returns it unchanged,
// so callers hash only well-formed input.
func Parse(s string) (string, error) {
	secret, ok := strings.CutPrefix(s, Prefix)
	if !ok || len(secret) != secretLen {
		return "", ErrMalformed
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(secret)
	if err != nil || len(b) != 32 {
		return "", ErrMalformed
	}
	return s, nil
}

// lookupLen is how many characters of the secret are stored in clear to find
// a key's record: 72 of its 256 bits, leaving 184 that only the hash covers.
const lookupLen = 12

// Stored is what is kept of a key.
type Stored struct {
	Lookup string // the key's first characters, to find its record
	Hash   string // hex SHA-256 of the whole key
}

// Store returns what to keep of key, which must be well-formed (see Parse).
func Store(key string) Stored {
	return Stored{Lookup: LookupOf(key), Hash: Hash(key)}
}

// LookupOf returns the part of a well-formed key that finds its record.
func LookupOf(key string) string { return key[len(Prefix) : len(Prefix)+lookupLen] }

// Matches reports whether key is the key s was stored from, comparing the
// hashes in constant time so that response times reveal nothing of s.Hash.
func (s Stored) Matches(key string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(key)), []byte(s.Hash)) == 1
}

// Hash returns the hex SHA-256 of key: the only form in which keys are stored.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
