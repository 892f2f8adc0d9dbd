package netconf_test

import (
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

// env returns a Getenv over vars only, so the test's own environment
// (a developer's real proxy) plays no part.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestThroughRealProxyWithPrivateCA(t *testing.T) {
	ca := nettest.NewCA(t)
	_, url := nettest.ServeTLS(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello through the tunnel")
	}))
	proxy := nettest.StartProxy(t, nettest.Port(t, url))
	hostport := strings.TrimPrefix(url, "https://")

	n, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{"HTTPS_PROXY": proxy.URL}), CABundle: ca.WriteFile(t)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := n.Client().Get(url)
	if err != nil {
		t.Fatalf("GET through the proxy: %v\n%s", err, proxy.Log())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello through the tunnel" {
		t.Errorf("body = %q", body)
	}
	if got := proxy.Connects(hostport); got != 1 {
		t.Errorf("proxy saw %d CONNECT %s, want 1\n%s", got, hostport, proxy.Log())
	}

	// The same network without the CA: the tunnel opens, the certificate
	// is refused.
	plain, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{"HTTPS_PROXY": proxy.URL})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plain.Client().Get(url)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("without the CA: err = %v, want an unknown-authority error", err)
	}
	if got := proxy.Connects(hostport); got != 2 {
		t.Errorf("proxy saw %d CONNECT %s, want 2", got, hostport)
	}
}
