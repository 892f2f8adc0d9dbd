package cli

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

// TestAdminClientUsesTheNetwork: q admin reaches an organisation server
// behind a private CA through the configured proxy.
func TestAdminClientUsesTheNetwork(t *testing.T) {
	ca := nettest.NewCA(t)
	var paths []string
	_, url := nettest.ServeTLS(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok": true}`))
	}))
	proxy := nettest.StartProxy(t, nettest.Port(t, url))
	caFile := ca.WriteFile(t)
	f := &adminFactory{
		Getenv: func(k string) string { return map[string]string{"QDEV_START_URL": url, "QDEV_API_KEY": "k"}[k] },
		HTTPClient: networkClient(func() (*netconf.Network, error) {
			return netconf.Load(netconf.Options{CABundle: caFile, Getenv: func(k string) string {
				if k == "HTTPS_PROXY" {
					return proxy.URL
				}
				return ""
			}})
		}),
	}
	c, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := c.Do(context.Background(), http.MethodGet, "/admin/v1/users", nil, &out); err != nil {
		t.Fatalf("Do: %v\n%s", err, proxy.Log())
	}
	if len(paths) != 1 || paths[0] != "/admin/v1/users" || out["ok"] != true {
		t.Errorf("server saw %q, answer %v", paths, out)
	}
	if n := proxy.Connects(strings.TrimPrefix(url, "https://")); n != 1 {
		t.Errorf("the proxy opened %d tunnels, want 1", n)
	}
}

// TestNetworkClientReportsBadSettings: a network setting that cannot be
// used fails the request with its own error, and is loaded only once.
func TestNetworkClientReportsBadSettings(t *testing.T) {
	loads := 0
	hc := networkClient(func() (*netconf.Network, error) {
		loads++
		return nil, errors.New("network.caBundle /nope: no such file")
	})
	for range 2 {
		_, err := hc.Get("http://127.0.0.1:1/")
		if err == nil || !strings.Contains(err.Error(), "network.caBundle /nope: no such file") {
			t.Fatalf("err = %v", err)
		}
	}
	if loads != 1 {
		t.Errorf("settings loaded %d times", loads)
	}
}
