package providers_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
	"github.com/qdev/qdev/internal/model/providers"
	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/netconf/nettest"
)

// TestProvidersThroughProxyWithPrivateCA sends one request of each
// provider to a TLS server signed by a private CA, through a real proxy:
// with the CA configured the answer arrives through a CONNECT tunnel;
// without it the tunnel opens, the certificate is refused, and the error
// is one line that says why, without a retry.
func TestProvidersThroughProxyWithPrivateCA(t *testing.T) {
	ca := nettest.NewCA(t)
	cert := ca.Issue(t, nettest.Host, "127.0.0.1")
	caFile := ca.WriteFile(t)
	cases := []struct {
		ref    string
		server func(...modeltest.Turn) *modeltest.Server
		env    func(t *testing.T, s *modeltest.Server, url string)
	}{
		{"openai/gpt-test", modeltest.NewOpenAI, func(t *testing.T, _ *modeltest.Server, url string) {
			t.Setenv("OPENAI_BASE_URL", url)
			t.Setenv("OPENAI_API_KEY", "sk-test")
		}},
		{"ollama/llama-test", modeltest.NewOpenAI, func(t *testing.T, _ *modeltest.Server, url string) {
			t.Setenv("OLLAMA_HOST", strings.TrimSuffix(url, "/v1"))
		}},
		{"anthropic/claude-test", modeltest.NewAnthropic, func(t *testing.T, _ *modeltest.Server, url string) {
			t.Setenv("ANTHROPIC_BASE_URL", url)
			t.Setenv("ANTHROPIC_API_KEY", "sk-ant-test")
		}},
		{"bedrock/anthropic.claude-test", modeltest.NewBedrock, func(t *testing.T, s *modeltest.Server, url string) {
			modeltest.BedrockEnv(t, s)
			t.Setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", url)
		}},
	}
	for _, c := range cases {
		t.Run(strings.Split(c.ref, "/")[0], func(t *testing.T) {
			s := c.server(modeltest.Turn{Text: []string{"through", " the proxy"}})
			defer s.Close()
			if err := s.ServeTLS("127.0.0.1:0", cert); err != nil {
				t.Fatal(err)
			}
			url := nettest.ViaHost(s.URL)
			c.env(t, s, url)
			proxy := nettest.StartProxy(t, nettest.Port(t, url))
			hostport := nettest.Host + ":" + nettest.Port(t, url)
			getenv := func(k string) string {
				if k == "HTTPS_PROXY" {
					return proxy.URL
				}
				return ""
			}

			trusting, err := netconf.Load(netconf.Options{Getenv: getenv, CABundle: caFile})
			if err != nil {
				t.Fatal(err)
			}
			text, err := ask(t, c.ref, trusting)
			if err != nil {
				t.Fatalf("with the CA: %v\nproxy log:\n%s", err, proxy.Log())
			}
			if text != "through the proxy" {
				t.Errorf("answer = %q", text)
			}
			if n := proxy.Connects(hostport); n != 1 {
				t.Errorf("proxy opened %d tunnels to %s, want 1", n, hostport)
			}

			plain, err := netconf.Load(netconf.Options{Getenv: getenv})
			if err != nil {
				t.Fatal(err)
			}
			_, err = ask(t, c.ref, plain)
			var ae *model.APIError
			if !errors.As(err, &ae) || ae.Kind != model.KindCertificate {
				t.Fatalf("without the CA: err = %v, want KindCertificate", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, "cannot reach "+url) ||
				!strings.Contains(msg, "its certificate is not trusted") || !strings.HasSuffix(msg, netconf.HintCA) {
				t.Errorf("without the CA: message %q", msg)
			}
			// One more tunnel, no retry, and nothing reached the model.
			if n := proxy.Connects(hostport); n != 2 {
				t.Errorf("proxy opened %d tunnels in all, want 2", n)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("server answered %d requests, want 1", n)
			}
		})
	}
}

// ask opens ref as q does and returns its answer to one question.
func ask(t *testing.T, ref string, n *netconf.Network) (string, error) {
	t.Helper()
	p, id, err := providers.Open(context.Background(), ref, providers.Options{Network: n})
	if err != nil {
		t.Fatalf("Open(%s): %v", ref, err)
	}
	resp, err := p.Stream(context.Background(), &model.Request{Model: id, MaxTokens: 100,
		Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: "hi"}}}}}, func(model.Event) {})
	if err != nil {
		return "", err
	}
	return resp.Message.Text(), nil
}

// TestBedrockTrustsAWSCABundle: AWS_CA_BUNDLE alone makes Bedrock trust the
// private CA; the SDK, which also reads it, must not fail on q's transport.
func TestBedrockTrustsAWSCABundle(t *testing.T) {
	ca := nettest.NewCA(t)
	s := modeltest.NewBedrock(modeltest.Turn{Text: []string{"trusted"}})
	defer s.Close()
	if err := s.ServeTLS("127.0.0.1:0", ca.Issue(t, "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	modeltest.BedrockEnv(t, s)
	t.Setenv("AWS_CA_BUNDLE", ca.WriteFile(t))
	n, err := netconf.Load(netconf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if text, err := ask(t, "bedrock/anthropic.claude-test", n); err != nil || text != "trusted" {
		t.Fatalf("answer %q, err %v", text, err)
	}
}

// TestProxyFailures: a proxy that refuses the tunnel and one that is not
// running each give one line that names the proxy and what to check.
func TestProxyFailures(t *testing.T) {
	ca := nettest.NewCA(t)
	s := modeltest.NewOpenAI(modeltest.Turn{Text: []string{"unused"}})
	defer s.Close()
	if err := s.ServeTLS("127.0.0.1:0", ca.Issue(t, nettest.Host)); err != nil {
		t.Fatal(err)
	}
	url := nettest.ViaHost(s.URL)
	t.Setenv("OPENAI_BASE_URL", url)
	t.Setenv("OPENAI_API_KEY", "sk-test")
	caFile := ca.WriteFile(t)
	// This proxy allows tunnels to port 443 only.
	proxy := nettest.StartProxy(t, "443")
	withProxy := func(p string) *netconf.Network {
		n, err := netconf.Load(netconf.Options{CABundle: caFile, Getenv: func(k string) string {
			if k == "HTTPS_PROXY" {
				return p
			}
			return ""
		}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	_, err := ask(t, "openai/gpt-test", withProxy(proxy.URL))
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindOther {
		t.Fatalf("refused tunnel: err = %v, want KindOther", err)
	}
	want := "openai: cannot reach " + url + ": the proxy " + proxy.URL + " refused the connection: 403 "
	if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, netconf.HintProxyDenied) || strings.Contains(msg, "\n") {
		t.Errorf("refused tunnel: message\n%s\nwant it to start with\n%s", msg, want)
	}

	addr := nettest.ClosedAddr(t)
	_, err = ask(t, "openai/gpt-test", withProxy("http://"+addr))
	if !errors.As(err, &ae) || ae.Kind != model.KindNoServer {
		t.Fatalf("dead proxy: err = %v, want KindNoServer", err)
	}
	want = "openai: cannot reach the proxy for " + url + ": dial tcp " + addr + ": connect: connection refused; " + netconf.HintProxy
	if msg := err.Error(); msg != want {
		t.Errorf("dead proxy: message\n%s\nwant\n%s", msg, want)
	}
}

// TestUnreachableLocalModelGivesUpFast: with nothing listening at
// OLLAMA_HOST, q tries twice, not six times over ten seconds, and the last
// error says how to start Ollama or point q at it.
func TestUnreachableLocalModelGivesUpFast(t *testing.T) {
	addr := nettest.ClosedAddr(t)
	t.Setenv("OLLAMA_HOST", addr)
	p, id, err := providers.Open(context.Background(), "ollama/llama3.1", providers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	retries := 0
	start := time.Now()
	_, err = p.Stream(context.Background(), &model.Request{Model: id,
		Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: "hi"}}}}},
		func(e model.Event) {
			if e.Type == model.EventRetry {
				retries++
			}
		})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("gave up after %s", took)
	}
	if retries != 1 {
		t.Errorf("%d retries, want 1", retries)
	}
	want := "ollama: cannot reach http://" + addr + "/v1: dial tcp " + addr + ": connect: connection refused; " +
		"start Ollama (`ollama serve`) or set OLLAMA_HOST to the address it listens on"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}
