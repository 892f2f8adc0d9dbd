package netconf_test

import (
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

func proxyFor(t *testing.T, n *netconf.Network, target string) string {
	t.Helper()
	tr := &http.Transport{}
	n.Configure(tr)
	u, _ := url.Parse(target)
	p, err := tr.Proxy(&http.Request{URL: u})
	if err != nil {
		t.Fatalf("proxy for %s: %v", target, err)
	}
	if p == nil {
		return ""
	}
	return p.String()
}

func TestProxyVariables(t *testing.T) {
	n, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{
		"HTTPS_PROXY": "http://upper:3128",
		"https_proxy": "http://lower:3128",
		"http_proxy":  "proxy.corp:8080", // no scheme: http:// is meant
		"no_proxy":    ".internal.corp,10.0.0.0/8",
	})})
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		"https://api.openai.com/v1":          "http://upper:3128",
		"http://models.example/v1":           "http://proxy.corp:8080",
		"https://llm.internal.corp/v1":       "", // NO_PROXY
		"https://10.1.2.3/v1":                "", // NO_PROXY CIDR
		"http://localhost:11434/v1":          "", // loopback is always direct
		"http://127.0.0.1:11434/v1":          "",
		"https://[::1]:8443/v1":              "",
		"https://bedrock-runtime.aws.com/x/": "http://upper:3128",
	} {
		if got := proxyFor(t, n, target); got != want {
			t.Errorf("proxy for %s = %q, want %q", target, got, want)
		}
	}
	if n.HTTPSProxy.Var != "HTTPS_PROXY" || n.HTTPProxy.Var != "http_proxy" || n.NoProxyVar != "no_proxy" {
		t.Errorf("variables = %q %q %q", n.HTTPSProxy.Var, n.HTTPProxy.Var, n.NoProxyVar)
	}
}

func TestNoProxyConfigured(t *testing.T) {
	n, err := netconf.Load(netconf.Options{Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got := proxyFor(t, n, "https://api.anthropic.com"); got != "" {
		t.Errorf("proxy = %q, want direct", got)
	}
	if n.HTTPSProxy.String() != "none" || len(n.CAFiles) != 0 {
		t.Errorf("HTTPSProxy = %s, CAFiles = %v", n.HTTPSProxy, n.CAFiles)
	}
	tr := &http.Transport{}
	n.Configure(tr)
	if tr.TLSClientConfig != nil {
		t.Error("without bundles the system roots must stay the transport's default")
	}
}

func TestProxyPasswordIsMasked(t *testing.T) {
	n, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{"HTTPS_PROXY": "http://alice:s3cret@proxy:3128"})})
	if err != nil {
		t.Fatal(err)
	}
	if s := n.HTTPSProxy.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "alice:xxxxx@proxy:3128") {
		t.Errorf("String() = %q", s)
	}
	// The request still carries the real credentials.
	if got := proxyFor(t, n, "https://example.com"); got != "http://alice:s3cret@proxy:3128" {
		t.Errorf("proxy = %q", got)
	}
}

func TestBadProxyVariable(t *testing.T) {
	for value, want := range map[string]string{
		"ftp://proxy:21":           "HTTPS_PROXY: ftp:// proxies are not supported: use http://, https:// or socks5://",
		"http://proxy:99999":       "HTTPS_PROXY: invalid port 99999 in the proxy URL",
		"http://:3128":             "HTTPS_PROXY: not a proxy URL: use http://HOST:PORT",
		"http://us%er:pw@pr oxy:1": "HTTPS_PROXY: not a proxy URL: use http://HOST:PORT",
	} {
		_, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{"HTTPS_PROXY": value})})
		if err == nil || err.Error() != want {
			t.Errorf("HTTPS_PROXY=%s: err = %v, want %q", value, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
}

func TestCABundles(t *testing.T) {
	ca1, ca2, ca3 := nettest.NewCA(t), nettest.NewCA(t), nettest.NewCA(t)
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "corp.pem"), ca3.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	f1, f2 := ca1.WriteFile(t), ca2.WriteFile(t)
	n, err := netconf.Load(netconf.Options{
		Getenv:   env(map[string]string{"SSL_CERT_FILE": f1, "AWS_CA_BUNDLE": f2}),
		CABundle: "~/corp.pem", Home: home,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []netconf.CAFile{
		{Path: f1, Source: "SSL_CERT_FILE", Certs: 1},
		{Path: f2, Source: "AWS_CA_BUNDLE", Certs: 1},
		{Path: filepath.Join(home, "corp.pem"), Source: "network.caBundle", Certs: 1},
	}
	if !slices.Equal(n.CAFiles, want) {
		t.Errorf("CAFiles = %+v, want %+v", n.CAFiles, want)
	}
	tr := &http.Transport{}
	n.Configure(tr)
	for i, ca := range []*nettest.CA{ca1, ca2, ca3} {
		certs, _ := netconf.ParseCABundle(ca.PEM)
		if _, err := certs[0].Verify(x509.VerifyOptions{Roots: tr.TLSClientConfig.RootCAs}); err != nil {
			t.Errorf("CA %d is not trusted: %v", i+1, err)
		}
	}
}

func TestBadCABundle(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := nettest.NewCA(t)
	certs, _ := netconf.ParseCABundle(ca.PEM)
	missing := filepath.Join(dir, "missing.pem")
	text := write("notes.txt", []byte("not a certificate\n"))
	der := write("ca.crt", certs[0].Raw)
	key := write("key.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	broken := write("broken.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	cases := []struct {
		vars    map[string]string
		setting string
		want    string
	}{
		{map[string]string{"SSL_CERT_FILE": missing}, "", "CA bundle " + missing + " (from SSL_CERT_FILE): no such file or directory"},
		{map[string]string{"AWS_CA_BUNDLE": text}, "", "CA bundle " + text + " (from AWS_CA_BUNDLE): holds no PEM certificate (-----BEGIN CERTIFICATE-----)"},
		{nil, der, "CA bundle " + der + " (from network.caBundle): is a DER certificate, not PEM: convert it with `openssl x509 -inform der -in FILE -out FILE.pem`"},
		{nil, key, "CA bundle " + key + " (from network.caBundle): holds no PEM certificate (-----BEGIN CERTIFICATE-----)"},
		{nil, broken, "CA bundle " + broken + " (from network.caBundle): certificate 1 does not parse: x509: malformed certificate"},
		{nil, dir, "CA bundle " + dir + " (from network.caBundle): is not a regular file"},
		{nil, "/dev/zero", "CA bundle /dev/zero (from network.caBundle): is not a regular file"},
		{nil, "corp.pem", "`network.caBundle` must be an absolute path (or start with ~/), not \"corp.pem\""},
	}
	for _, c := range cases {
		_, err := netconf.Load(netconf.Options{Getenv: env(c.vars), CABundle: c.setting, Home: dir})
		if err == nil || err.Error() != c.want {
			t.Errorf("%v %q: err = %v\nwant %s", c.vars, c.setting, err, c.want)
		}
		if c.setting != "" {
			if err2 := netconf.CheckBundle(c.setting, dir); err2 == nil || err2.Error() != c.want {
				t.Errorf("CheckBundle(%q) = %v, want the same error as Load", c.setting, err2)
			}
		}
	}
	var caErr *netconf.CAError
	_, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{"SSL_CERT_FILE": missing})})
	if !errors.As(err, &caErr) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %#v, want a *CAError wrapping ErrNotExist", err)
	}
}

func TestChildEnvPassesTheSettingToTheAWSCLI(t *testing.T) {
	f := nettest.NewCA(t).WriteFile(t)
	n, err := netconf.Load(netconf.Options{Getenv: env(nil), CABundle: f})
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"PATH=/usr/bin", "HTTPS_PROXY=http://p:1"}
	got := n.ChildEnv(base)
	if want := append(slices.Clone(base), "AWS_CA_BUNDLE="+f); !slices.Equal(got, want) {
		t.Errorf("ChildEnv = %q, want %q", got, want)
	}
	if len(base) != 2 {
		t.Error("ChildEnv changed its argument")
	}
	// The user's own AWS_CA_BUNDLE wins.
	own := []string{"AWS_CA_BUNDLE=/etc/own.pem"}
	if got := n.ChildEnv(own); !slices.Equal(got, own) {
		t.Errorf("ChildEnv = %q, want %q", got, own)
	}
	// An empty one counts as unset, as in the aws CLI.
	if got := n.ChildEnv([]string{"AWS_CA_BUNDLE="}); got[len(got)-1] != "AWS_CA_BUNDLE="+f {
		t.Errorf("ChildEnv = %q", got)
	}
	// Without the setting nothing is added, even when AWS_CA_BUNDLE is
	// only in q's own environment (the child inherits it anyway).
	var none *netconf.Network
	if got := none.ChildEnv(base); !slices.Equal(got, base) {
		t.Errorf("nil network: ChildEnv = %q", got)
	}
}

func TestNilNetworkUsesTheEnvironment(t *testing.T) {
	var n *netconf.Network
	if n.Client().Transport != http.DefaultTransport {
		t.Error("a nil network must use the default transport")
	}
	tr := &http.Transport{}
	n.Configure(tr)
	if tr.Proxy == nil {
		t.Error("a nil network must still honour the proxy variables")
	}
}

func FuzzParseCABundle(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("garbage"))
	f.Add([]byte{0x30, 0x82, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := netconf.ParseCABundle(data)
		if (err == nil) == (len(certs) == 0) {
			t.Fatalf("certs %d, err %v: exactly one of them must be set", len(certs), err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of more than one line: %q", err)
		}
	})
}

func FuzzProxyVariable(f *testing.F) {
	for _, s := range []string{"http://p:3128", "p:3128", "socks5://u:pw@h:1080", "ftp://x", "http://[::1]:80", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		n, err := netconf.Load(netconf.Options{Getenv: env(map[string]string{"HTTPS_PROXY": value})})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "HTTPS_PROXY: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line naming the variable", err)
			}
			return
		}
		// What Load accepts, requests can use.
		tr := &http.Transport{}
		n.Configure(tr)
		if _, err := tr.Proxy(&http.Request{URL: &url.URL{Scheme: "https", Host: "example.com"}}); err != nil {
			t.Fatalf("HTTPS_PROXY=%q accepted by Load but unusable: %v", value, err)
		}
	})
}
