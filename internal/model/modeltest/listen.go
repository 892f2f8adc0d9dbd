package modeltest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
)

// Rebind moves a running server, before it has served anything, to a
// listener on addr ("127.0.0.1:8080"; port 0 picks a free one) and updates
// URL, keeping any path suffix such as /v1. The constructors always listen
// on a random loopback port; Rebind is for tools that need a fixed address.
// On error the server keeps its old address.
func (s *Server) Rebind(addr string) error {
	return s.restart(addr, nil)
}

// ServeTLS moves a running server, before it has served anything, to
// HTTPS with cert on addr (port 0 picks a free one); URL becomes
// https://…. It is for trying clients behind a proxy with a private CA.
func (s *Server) ServeTLS(addr string, cert tls.Certificate) error {
	return s.restart(addr, &tls.Config{Certificates: []tls.Certificate{cert}})
}

func (s *Server) restart(addr string, tlsConfig *tls.Config) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("modeltest: listen on %s: %w", addr, err)
	}
	suffix := strings.TrimPrefix(s.URL, s.srv.URL)
	h := s.srv.Config.Handler
	s.srv.Close()
	ns := httptest.NewUnstartedServer(h)
	_ = ns.Listener.Close()
	ns.Listener = l
	if tlsConfig != nil {
		ns.TLS = tlsConfig
		ns.StartTLS()
	} else {
		ns.Start()
	}
	s.srv = ns
	s.URL = ns.URL + suffix
	return nil
}
