package mcp

import (
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

// TestRemoteServerThroughProxyWithPrivateCA reaches a real MCP server
// (server-everything over Streamable HTTP, behind a TLS front signed by a
// private CA) through a real proxy, and fails with a certificate error
// when the CA is not configured.
func TestRemoteServerThroughProxyWithPrivateCA(t *testing.T) {
	backend, err := url.Parse(startHTTPEverything(t, "streamableHttp"))
	if err != nil {
		t.Fatal(err)
	}
	front := httputil.NewSingleHostReverseProxy(backend)
	front.FlushInterval = -1 // event streams pass at once
	ca := nettest.NewCA(t)
	_, base := nettest.ServeTLS(t, ca, front)
	proxy := nettest.StartProxy(t, nettest.Port(t, base))
	hostport := nettest.Host + ":" + nettest.Port(t, base)
	network := func(caBundle string) *netconf.Network {
		n, err := netconf.Load(netconf.Options{CABundle: caBundle, Getenv: func(k string) string {
			if k == "HTTPS_PROXY" {
				return proxy.URL
			}
			return ""
		}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cfg := ServerConfig{Name: "remote", Type: TypeHTTP, URL: base + "/mcp", Timeout: 30 * time.Second}

	m := startManager(t, Options{HTTPClient: network(ca.WriteFile(t)).Client()}, cfg)
	if st := status(t, m, "remote"); st.State != StateReady || st.Transport != "http" {
		t.Fatalf("status = %+v\nproxy log:\n%s", st, proxy.Log())
	}
	if r := run(t, m, "echo", `{"message":"through the proxy"}`); r.IsError || text(r.Content) != "Echo: through the proxy" {
		t.Errorf("echo = %+v", r)
	}
	if n := proxy.Connects(hostport); n == 0 {
		t.Errorf("the proxy opened no tunnel to %s:\n%s", hostport, proxy.Log())
	}
	m.Close()

	before := proxy.Connects(hostport)
	m = startManager(t, Options{HTTPClient: network("").Client()}, cfg)
	st := status(t, m, "remote")
	want := base + "/mcp: its certificate is not trusted (tls: failed to verify certificate: x509: certificate signed by unknown authority); " + netconf.HintCA
	if st.State == StateReady || st.LastError != want {
		t.Errorf("without the CA: status = %+v\nwant the error %s", st, want)
	}
	if proxy.Connects(hostport) == before {
		t.Error("without the CA the request did not go through the proxy")
	}
}
