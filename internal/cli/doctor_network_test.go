package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/netconf/nettest"
)

func clearNetworkEnv(t *testing.T) {
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "AWS_CA_BUNDLE"} {
		t.Setenv(v, "")
	}
}

func TestDoctorReportsProxyAndCA(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": "openai/gpt-4.1"}`)
	clearNetworkEnv(t)
	out, code := s.run()
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"Network\n",
		"• proxy: none: connections are direct (HTTPS_PROXY sets one)",
		"• CA certificates: the system's roots\n",
		"✔ Everything looks good!")

	caFile := filepath.Join(t.TempDir(), "corp.pem")
	if err := os.WriteFile(caFile, nettest.NewCA(t).PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	envCA := nettest.NewCA(t).WriteFile(t)
	s.write(s.settingsPath, `{"chat.defaultModel": "openai/gpt-4.1", "network.caBundle": "`+caFile+`"}`)
	t.Setenv("https_proxy", "http://alice:s3cret@proxy.corp:3128")
	t.Setenv("NO_PROXY", ".internal.corp")
	t.Setenv("AWS_CA_BUNDLE", envCA)
	out, code = s.run()
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"• proxy: https via http://alice:xxxxx@proxy.corp:3128 (https_proxy), http via none; direct to .internal.corp (NO_PROXY); localhost and loopback addresses always direct",
		"• CA certificates: the system's roots and "+envCA+" (AWS_CA_BUNDLE, 1 certificate), "+caFile+" (network.caBundle, 1 certificate)")
	if strings.Contains(out, "s3cret") {
		t.Error("the proxy password was printed")
	}

	// A bundle q chat would refuse is an error here too.
	s.write(s.settingsPath, `{"network.caBundle": "/nonexistent/corp.pem"}`)
	out, code = s.run()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLines(t, out, "✘ network: CA bundle /nonexistent/corp.pem (from network.caBundle): no such file or directory; q chat refuses to start until this is fixed")
}
