// Package apikey makes, recognises and hashes the organisation service's API
// keys: "qdev_" followed by 43 base64url characters (256 random bits). Only
// a key's SHA-256 hash is ever stored, so a leaked database does not leak
// usable keys, and a hash of a high-entropy secret needs no slow KDF. Keys
// are found by their hash: the database compares hashes of 256-bit secrets,
// so how long a comparison takes tells an attacker nothing about any key,
// and no byte-wise comparison of a secret happens in Go.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
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

// Hash returns the hex SHA-256 of key: the only form in which keys are stored.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
