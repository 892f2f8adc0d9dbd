package model

import (
	"errors"
	"net"
	"syscall"

	"github.com/qdev/qdev/internal/netconf"
)

// Endpoint is where a provider sends its requests, as error messages name
// it.
type Endpoint struct {
	// URL is the base URL.
	URL string
	// Hint says how to start the server or point the provider elsewhere;
	// it ends the message when nothing answers at URL.
	Hint string
}

// ClassifyUnreached fills in e for a request that got no answer from the
// server: a refused connection or unknown host name (KindNoServer, with
// ep's hint), an untrusted certificate (KindCertificate), a proxy that
// failed or refused, or another network failure (KindUnreachable).
func ClassifyUnreached(e *APIError, err error, ep Endpoint) {
	var opErr *net.OpError
	var proxyErr *netconf.ProxyError
	switch {
	case errors.As(err, &proxyErr):
		e.Message = "cannot reach " + ep.URL + ": " + proxyErr.Error()
		switch {
		case proxyErr.Status == 407:
			e.Kind, e.Hint = KindAuth, netconf.HintProxyAuth
		case proxyErr.Status >= 500:
			// The proxy could not connect on: as if nothing answered.
			e.Kind, e.Hint = KindNoServer, ep.Hint
		default:
			e.Kind, e.Hint = KindOther, netconf.HintProxyDenied
		}
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		e.Message = "cannot reach the proxy for " + ep.URL + ": " + RootCause(opErr.Err).Error()
		e.Kind, e.Hint = KindUnreachable, netconf.HintProxy
		if noServer(opErr.Err) {
			e.Kind = KindNoServer
		}
	case netconf.IsCertificateError(err):
		e.Kind = KindCertificate
		e.Message = "cannot reach " + ep.URL + ": its certificate is not trusted (" + RootCause(err).Error() + ")"
		e.Hint = netconf.CertificateHint(err)
	case noServer(err):
		e.Kind, e.Hint = KindNoServer, ep.Hint
		e.Message = "cannot reach " + ep.URL + ": " + RootCause(err).Error()
	default:
		e.Kind = KindUnreachable
		e.Message = "cannot reach " + ep.URL + ": " + RootCause(err).Error()
	}
}

// noServer reports whether err means nothing listens at the address or
// the host name does not resolve.
func noServer(err error) bool {
	var dnsErr *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dnsErr)
}
