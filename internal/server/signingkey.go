package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SigningKeyFile is the name of the service's token-signing key in the data
// directory.
const SigningKeyFile = "signing-key.pem"

// EnsureSigningKey makes sure dir holds an Ed25519 private key (PKCS #8,
// PEM, mode 0600), creating one when there is none, and returns its path.
// The identity provider does not sign with it: its keys live in the store,
// shared by every replica. An existing key is never replaced: whatever was
// signed with it must keep verifying.
func EnsureSigningKey(dir string) (string, error) {
	path := filepath.Join(dir, SigningKeyFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	// Write a private temporary file, then link it into place: the key
	// appears whole or not at all, and when two processes initialise at
	// once the link of the second fails and the first key stays.
	tmp, err := os.CreateTemp(dir, ".signing-key-*")
	if err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return "", fmt.Errorf("signing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("signing key: %w", err)
	}
	return path, nil
}
