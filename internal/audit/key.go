package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyPath returns where the signing key of the trail in dir is kept by
// default: beside the directory, "<dir>.key" (its public half in
// "<dir>.key.pub"), so that the key is not one of the trail's files.
func KeyPath(dir string) string {
	return filepath.Clean(dir) + ".key"
}

// publicPath is where the public half of the key at path is kept.
func publicPath(path string) string { return path + ".pub" }

// Fingerprint identifies a public key in digests: the first 16 bytes of
// its SHA-256, hex (32 characters, the size of CloudTrail's fingerprints).
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:16])
}

// loadOrCreateKey returns the private key at path, creating it (0600, and
// its public half 0644) when it does not exist yet. Two processes creating
// it at once end up with the same key: the file appears atomically and the
// loser loads the winner's.
func loadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := loadPrivateKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	tmp, err := writeTemp(filepath.Dir(path), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadPrivateKey(path)
		}
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	if err := writePublicKey(publicPath(path), pub); err != nil {
		return nil, err
	}
	return priv, syncDir(filepath.Dir(path))
}

// loadPrivateKey reads a PKCS#8 PEM Ed25519 key, refusing one that others
// could read or change.
func loadPrivateKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit key %s: mode %04o lets other users use it; chmod 600 it", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit key %s: not a PEM \"PRIVATE KEY\" block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// LoadPublicKey returns the public key that checks the digests signed with
// the private key at path: from "<path>.pub", or derived from the private
// key when that file is missing.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	data, err := os.ReadFile(publicPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		priv, err := loadPrivateKey(path)
		if err != nil {
			return nil, err
		}
		return priv.Public().(ed25519.PublicKey), nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit public key %s: %w", publicPath(path), err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("audit public key %s: not a PEM \"PUBLIC KEY\" block", publicPath(path))
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit public key %s: %w", publicPath(path), err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("audit public key %s: not an Ed25519 key", publicPath(path))
	}
	return pub, nil
}

func writePublicKey(path string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("audit public key %s: %w", path, err)
	}
	tmp, err := writeTemp(filepath.Dir(path), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
	if err == nil {
		if err = os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
		}
	}
	if err != nil {
		return fmt.Errorf("audit public key %s: %w", path, err)
	}
	return nil
}

// writeTemp writes data durably to a new hidden file in dir with mode perm
// and returns its path, for the caller to link or rename into place.
func writeTemp(dir string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".qdev-audit-tmp-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
