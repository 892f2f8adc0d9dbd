package netconf

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Hints for network failures, shared by every client so that the remedy
// reads the same wherever it is shown.
const (
	// HintCA is for a certificate signed by an authority q does not know.
	HintCA = "if a proxy or a private CA signs it, name the CA's PEM file with `q settings network.caBundle FILE` or SSL_CERT_FILE"
	// HintNetwork is for a public service that cannot be reached.
	HintNetwork = "check the network connection (a proxy goes in HTTPS_PROXY)"
	// HintProxy is for a proxy that cannot be reached.
	HintProxy = "check HTTPS_PROXY and HTTP_PROXY (NO_PROXY lists the hosts reached directly)"
	// HintProxyAuth is for a proxy that wants credentials.
	HintProxyAuth = "put the proxy's credentials in HTTPS_PROXY (http://USER:PASSWORD@HOST:PORT)"
	// HintProxyDenied is for a proxy that refuses the host.
	HintProxyDenied = "ask the proxy's administrator to allow it, or add the host to NO_PROXY if it is reachable directly"
)

// ProxyError is a proxy's refusal to open a tunnel to a server.
type ProxyError struct {
	// Proxy is the proxy's URL with any password masked.
	Proxy string
	// Status and Text are the proxy's answer ("403", "Forbidden").
	Status int
	Text   string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("the proxy %s refused the connection: %d %s", e.Proxy, e.Status, e.Text)
}

// checkConnectResponse turns a proxy's refusal to CONNECT into a
// *ProxyError; Go's own error would be the bare status text ("Forbidden").
func checkConnectResponse(_ context.Context, proxy *url.URL, _ *http.Request, res *http.Response) error {
	if res.StatusCode == http.StatusOK {
		return nil
	}
	_, text, _ := strings.Cut(res.Status, " ")
	return &ProxyError{Proxy: proxy.Redacted(), Status: res.StatusCode, Text: text}
}

// IsCertificateError reports whether err is a TLS server certificate that
// failed verification (unknown authority, wrong host name, expired).
func IsCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// CertificateHint is what to do about a certificate error: HintCA when its
// authority is unknown, "" otherwise (a wrong name or an expired
// certificate is the server's to fix).
func CertificateHint(err error) string {
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return HintCA
	}
	return ""
}

// DescribeCertificateError says in one line that target's certificate is
// not trusted, why, and what to do, for a certificate error err.
func DescribeCertificateError(target string, err error) string {
	cause := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err.Error()
	}
	msg := target + ": its certificate is not trusted (" + cause + ")"
	if hint := CertificateHint(err); hint != "" {
		msg += "; " + hint
	}
	return msg
}
