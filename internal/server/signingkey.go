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
// PEM, mode 0600) for signing the tokens the identity provider will issue,
// creating one when there is none, and returns its path. An existing key is
// never replaced: tokens signed with it must keep verifying.
func EnsureSigningKey(dir string) (string, error) {
	path := filepath.Join(dir, SigningKeyFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	// O_EXCL: two processes initialising at once cannot both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return path, nil
	}
	if err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("signing key: %w", err)
	}
	return path, nil
}
