package netconf

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/homepath"
)

// maxBundleSize bounds a CA bundle; the public roots are about 200 KB, so
// a larger file is not a bundle (and /dev/zero must not be read forever).
const maxBundleSize = 16 << 20

// CAFile is a bundle of certificate authorities trusted besides the
// system's roots.
type CAFile struct {
	// Path is the bundle file.
	Path string
	// Source is what named it: "SSL_CERT_FILE", "AWS_CA_BUNDLE" or
	// "network.caBundle".
	Source string
	// Certs counts the certificates read from it.
	Certs int
}

// CAError is a CA bundle that cannot be used. Its message is one line
// naming the file and the variable or setting that named it.
type CAError struct {
	Path, Source string
	Err          error
}

func (e *CAError) Error() string {
	return fmt.Sprintf("CA bundle %s (from %s): %v", e.Path, e.Source, e.Err)
}

func (e *CAError) Unwrap() error { return e.Err }

// loadRoots builds the trusted roots: the system's, plus every bundle
// named. Go reads SSL_CERT_FILE in place of the system bundle, as OpenSSL
// does; it is read here as well, so that a missing or empty file is an
// error rather than a pool that silently trusts nothing.
func (n *Network) loadRoots(getenv func(string) string, setting, home string) error {
	sources := []struct{ name, value string }{
		{"SSL_CERT_FILE", strings.TrimSpace(getenv("SSL_CERT_FILE"))},
		{EnvAWSCABundle, strings.TrimSpace(getenv(EnvAWSCABundle))},
		{SettingCABundle, strings.TrimSpace(setting)},
	}
	for _, src := range sources {
		if src.value == "" {
			continue
		}
		path := src.value
		if src.name == SettingCABundle {
			var err error
			if path, err = BundlePath(src.value, home); err != nil {
				return err
			}
		}
		certs, err := ReadCABundle(path)
		if err != nil {
			return &CAError{Path: path, Source: src.name, Err: err}
		}
		if n.roots == nil {
			if n.roots, err = x509.SystemCertPool(); err != nil {
				n.roots = x509.NewCertPool()
			}
		}
		for _, c := range certs {
			n.roots.AddCert(c)
		}
		n.CAFiles = append(n.CAFiles, CAFile{Path: path, Source: src.name, Certs: len(certs)})
	}
	return nil
}

// BundlePath turns a network.caBundle value into a file path: "~/…" is
// expanded with home; anything else must be absolute, since the setting
// applies in every directory.
func BundlePath(value, home string) (string, error) {
	p := homepath.Expand(strings.TrimSpace(value), home)
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("`%s` must be an absolute path (or start with ~/), not %q", SettingCABundle, value)
	}
	return p, nil
}

// CheckBundle reports whether the network.caBundle value names a usable
// bundle, with the same one-line errors Load gives.
func CheckBundle(value, home string) error {
	path, err := BundlePath(value, home)
	if err != nil {
		return err
	}
	if _, err := ReadCABundle(path); err != nil {
		return &CAError{Path: path, Source: SettingCABundle, Err: err}
	}
	return nil
}

// ReadCABundle returns the certificates of the PEM file at path. Blocks
// other than certificates are skipped; a file without any certificate, or
// with one that does not parse, is an error. The errors do not repeat the
// path.
func ReadCABundle(path string) ([]*x509.Certificate, error) {
	data, err := readSmallFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCABundle(data)
}

// ParseCABundle returns the certificates of PEM data (see ReadCABundle).
func ParseCABundle(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %v", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) > 0 {
		return certs, nil
	}
	if _, err := x509.ParseCertificates(data); err == nil && len(data) > 0 {
		return nil, errors.New("is a DER certificate, not PEM: convert it with `openssl x509 -inform der -in FILE -out FILE.pem`")
	}
	return nil, errors.New("holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
}

// readSmallFile reads a regular file of at most maxBundleSize bytes.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathless(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, pathless(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("is not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBundleSize+1))
	if err != nil {
		return nil, pathless(err)
	}
	if len(data) > maxBundleSize {
		return nil, fmt.Errorf("is larger than %d MiB; a CA bundle is much smaller", maxBundleSize>>20)
	}
	return data, nil
}

// pathless drops the path an *fs.PathError repeats.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
