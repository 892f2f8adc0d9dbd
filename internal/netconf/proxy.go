package netconf

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// Proxy is the proxy of one URL scheme.
type Proxy struct {
	// URL is the proxy; nil means direct connections.
	URL *url.URL
	// Var is the environment variable that named it ("HTTPS_PROXY",
	// "https_proxy").
	Var string
}

// String describes p for people: the URL with any password masked and the
// variable it came from, or "none".
func (p Proxy) String() string {
	if p.URL == nil {
		return "none"
	}
	return p.URL.Redacted() + " (" + p.Var + ")"
}

// loadProxy reads the proxy variables as Go's httpproxy does (upper case
// first, then lower case; a URL without a scheme means http://), and
// checks them, since httpproxy would only complain at the first request.
// Requests to localhost and loopback addresses never use a proxy, so a
// local model server is reached directly.
func (n *Network) loadProxy(getenv func(string) string) error {
	var err error
	if n.HTTPSProxy, err = readProxy(getenv, "HTTPS_PROXY", "https_proxy"); err != nil {
		return err
	}
	if n.HTTPProxy, err = readProxy(getenv, "HTTP_PROXY", "http_proxy"); err != nil {
		return err
	}
	n.NoProxy, n.NoProxyVar = firstEnv(getenv, "NO_PROXY", "no_proxy")
	cfg := httpproxy.Config{
		HTTPSProxy: rawURL(n.HTTPSProxy),
		HTTPProxy:  rawURL(n.HTTPProxy),
		NoProxy:    n.NoProxy,
		// A CGI program must not take HTTP_PROXY from a request header
		// ("Proxy:"); httpproxy refuses it then, and so does q.
		CGI: getenv("REQUEST_METHOD") != "",
	}
	n.proxy = cfg.ProxyFunc()
	return nil
}

func (n *Network) proxyForRequest(req *http.Request) (*url.URL, error) {
	return n.proxy(req.URL)
}

func rawURL(p Proxy) string {
	if p.URL == nil {
		return ""
	}
	return p.URL.String()
}

// readProxy returns the proxy the first set variable of names gives.
func readProxy(getenv func(string) string, names ...string) (Proxy, error) {
	raw, name := firstEnv(getenv, names...)
	if raw == "" {
		return Proxy{}, nil
	}
	u, err := parseProxy(raw)
	if err != nil {
		return Proxy{}, fmt.Errorf("%s: %v", name, err)
	}
	return Proxy{URL: u, Var: name}, nil
}

// parseProxy accepts what Go's transport can use: http, https and socks5
// proxies, with "http://" assumed when no scheme is given. The value is
// not repeated in the error, since it may hold a password.
func parseProxy(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		u, err = url.Parse("http://" + raw)
	}
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("not a proxy URL: use http://HOST:PORT")
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("%s:// proxies are not supported: use http://, https:// or socks5://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return nil, fmt.Errorf("invalid port %s in the proxy URL", p)
		}
	}
	return u, nil
}

// firstEnv returns the first non-blank value of names and its name.
func firstEnv(getenv func(string) string, names ...string) (value, name string) {
	for _, n := range names {
		if v := strings.TrimSpace(getenv(n)); v != "" {
			return v, n
		}
	}
	return "", ""
}
