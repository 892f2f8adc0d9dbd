package cli

import (
	"net/http"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/paths"
)

// loadNetwork loads the proxy and CA configuration from the environment and
// the settings file, for commands that connect without a chat session.
func loadNetwork() (*netconf.Network, error) {
	st, err := loadSettings()
	if err != nil {
		return nil, err
	}
	return netconf.Load(netconf.Options{CABundle: st.String(netconf.SettingCABundle, ""), Home: paths.Home()})
}

// networkClient is the HTTP client of commands that talk to an
// organisation server (q admin, q login, q whoami, q profile): requests go
// through the proxy and trusted CAs load gives, loaded at the first request
// so that a command that connects nowhere never reads them, and a bad
// setting fails the request with load's one-line error.
func networkClient(load func() (*netconf.Network, error)) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &lazyTransport{load: load}}
}

// lazyTransport is the transport of the network settings, loaded once.
type lazyTransport struct {
	load func() (*netconf.Network, error)
	once sync.Once
	rt   http.RoundTripper
	err  error
}

func (l *lazyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.once.Do(func() {
		var n *netconf.Network
		if n, l.err = l.load(); l.err == nil {
			l.rt = n.Transport()
		}
	})
	if l.err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, l.err
	}
	return l.rt.RoundTrip(r)
}
