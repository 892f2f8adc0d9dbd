// Package netconf decides how q reaches the network: which proxy a request
// goes through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case
// forms) and which certificate authorities a TLS server may be signed by
// (the system's, plus SSL_CERT_FILE, AWS_CA_BUNDLE and the network.caBundle
// setting).
//
// Every outgoing HTTP client of q takes its transport from a Network: the
// model providers (Bedrock through the AWS SDK's transport options, the
// OpenAI-compatible and Anthropic clients through Client), remote MCP
// servers, and q admin's client of the organisation server. The chat
// session's connection to the organisation server (internal/org) is to use
// Client as well, like any new client: a corporate network is configured
// once, in the environment or the settings, and http.DefaultClient knows
// neither network.caBundle nor AWS_CA_BUNDLE.
package netconf

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
)

// SettingCABundle is the setting that names an extra CA bundle.
const SettingCABundle = "network.caBundle"

// EnvAWSCABundle is the AWS tools' CA bundle variable, which q reads and
// passes on to the aws CLI.
const EnvAWSCABundle = "AWS_CA_BUNDLE"

// Options are the inputs of Load.
type Options struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// CABundle is the value of the network.caBundle setting, "" when unset.
	CABundle string
	// Home expands a leading "~" in CABundle.
	Home string
}

// Network is the resolved network configuration. Its zero value, and a nil
// *Network, connect directly and trust the system's roots only. It is safe
// for concurrent use.
type Network struct {
	// HTTPSProxy and HTTPProxy are the proxies of https and http requests.
	HTTPSProxy, HTTPProxy Proxy
	// NoProxy lists the hosts reached directly (NO_PROXY's value), and
	// NoProxyVar the variable it came from.
	NoProxy, NoProxyVar string
	// CAFiles are the bundles trusted besides the system's roots, in the
	// order SSL_CERT_FILE, AWS_CA_BUNDLE, network.caBundle.
	CAFiles []CAFile

	proxy func(*url.URL) (*url.URL, error)
	roots *x509.CertPool // nil: the system's roots only

	once      sync.Once
	transport *http.Transport
}

// Load reads the proxy variables and the CA bundles. A proxy variable that
// is not a proxy URL, or a CA bundle that cannot be read or holds no
// certificate, is an error of one line naming the variable or file: q
// stops rather than connect in a way the user did not configure.
func Load(o Options) (*Network, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	n := &Network{}
	if err := n.loadProxy(getenv); err != nil {
		return nil, err
	}
	if err := n.loadRoots(getenv, o.CABundle, o.Home); err != nil {
		return nil, err
	}
	return n, nil
}

// Configure makes tr use the network's proxies and trusted roots. It is for
// clients that build their own transport (the AWS SDK's); others use
// Client. Each call gives tr its own copy of the roots, so a library that
// appends to them changes nothing else.
func (n *Network) Configure(tr *http.Transport) {
	tr.OnProxyConnectResponse = checkConnectResponse
	if n == nil {
		tr.Proxy = http.ProxyFromEnvironment
		return
	}
	tr.Proxy = n.proxyForRequest
	if n.roots != nil {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		} else {
			tr.TLSClientConfig = tr.TLSClientConfig.Clone()
		}
		tr.TLSClientConfig.RootCAs = n.roots.Clone()
	}
}

// Transport returns the network's shared transport, a copy of
// http.DefaultTransport configured by Configure. Clients that share it
// share its connection pool.
func (n *Network) Transport() *http.Transport {
	if n == nil {
		return http.DefaultTransport.(*http.Transport)
	}
	n.once.Do(func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		n.Configure(tr)
		n.transport = tr
	})
	return n.transport
}

// Client returns an HTTP client on the shared transport. It has no overall
// timeout, since model answers and MCP event streams are long-lived; bound
// each request by its context.
func (n *Network) Client() *http.Client {
	return &http.Client{Transport: n.Transport()}
}

// ChildEnv returns environ for programs q starts (the aws CLI, above all):
// when network.caBundle is set and environ has no AWS_CA_BUNDLE, it adds
// AWS_CA_BUNDLE naming that file, so they trust the same authority as q.
// The aws CLI then trusts that file alone, so it should hold every CA the
// network needs (a TLS-inspecting proxy's). The proxy variables reach
// children unchanged as part of environ.
func (n *Network) ChildEnv(environ []string) []string {
	bundle := n.settingBundle()
	if bundle == "" {
		return environ
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, EnvAWSCABundle+"="); ok && v != "" {
			return environ
		}
	}
	return append(slices.Clone(environ), EnvAWSCABundle+"="+bundle)
}

// settingBundle is the file network.caBundle names, "" when it is unset.
func (n *Network) settingBundle() string {
	if n == nil {
		return ""
	}
	for _, f := range n.CAFiles {
		if f.Source == SettingCABundle {
			return f.Path
		}
	}
	return ""
}
