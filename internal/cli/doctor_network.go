package cli

import (
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/settings"
)

// checkNetwork reports the proxy and the certificate authorities that
// q chat's connections use, loaded the way q chat loads them.
func checkNetwork(r *doctorReport, st *settings.Settings) {
	const sec = "Network"
	bundle := ""
	if st != nil {
		bundle = st.String(netconf.SettingCABundle, "")
	}
	n, err := netconf.Load(netconf.Options{CABundle: bundle, Home: paths.Home()})
	if err != nil {
		r.add(sec, "network", statusError, "%v; q chat refuses to start until this is fixed", err)
		return
	}
	r.add(sec, "proxy", statusInfo, "%s", describeProxies(n))
	r.add(sec, "CA certificates", statusInfo, "%s", describeCAs(n))
}

// describeProxies says which proxy each scheme uses, with passwords masked.
func describeProxies(n *netconf.Network) string {
	if n.HTTPSProxy.URL == nil && n.HTTPProxy.URL == nil {
		return "none: connections are direct (HTTPS_PROXY sets one)"
	}
	s := "https via " + n.HTTPSProxy.String() + ", http via " + n.HTTPProxy.String()
	if n.NoProxy != "" {
		s += "; direct to " + n.NoProxy + " (" + n.NoProxyVar + ")"
	}
	return s + "; localhost and loopback addresses always direct"
}

// describeCAs lists the bundles trusted besides the system's roots.
func describeCAs(n *netconf.Network) string {
	if len(n.CAFiles) == 0 {
		return "the system's roots"
	}
	files := make([]string, len(n.CAFiles))
	for i, f := range n.CAFiles {
		files[i] = fmt.Sprintf("%s (%s, %s)", f.Path, f.Source, plural(f.Certs, "certificate"))
	}
	return "the system's roots and " + strings.Join(files, ", ")
}
