package modeltest

import (
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
	ns.Start()
	s.srv = ns
	s.URL = ns.URL + suffix
	return nil
}
