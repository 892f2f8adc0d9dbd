package bedrock

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
)

func TestEndpointEnvHonoured(t *testing.T) {
	c, s := fixture(t, modeltest.Turn{Text: []string{"hi"}})
	if c.Endpoint() != s.URL {
		t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), s.URL)
	}
	if _, err := c.Stream(context.Background(), simpleRequest(), nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("fake server saw %d requests, want 1", n)
	}
	if c.Name() != "bedrock" {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestMissingRegion(t *testing.T) {
	s := modeltest.NewBedrock()
	defer s.Close()
	modeltest.BedrockEnv(t, s)
	os.Unsetenv("AWS_REGION")

	_, err := New(context.Background(), Options{})
	if !errors.Is(err, ErrNoRegion) || strings.Contains(err.Error(), "--region") ||
		!strings.Contains(err.Error(), "set AWS_REGION") || !strings.Contains(err.Error(), "aws configure set region") {
		t.Fatalf("err = %v, want ErrNoRegion", err)
	}
	if _, err := New(context.Background(), Options{Region: "eu-central-1"}); err != nil {
		t.Errorf("explicit region: %v", err)
	}
}

func TestProfileSuppliesRegion(t *testing.T) {
	s := modeltest.NewBedrock()
	defer s.Close()
	modeltest.BedrockEnv(t, s)
	os.Unsetenv("AWS_REGION")
	os.Unsetenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
	if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte("[profile qtest]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := New(context.Background(), Options{Profile: "qtest"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if want := "https://bedrock-runtime.eu-west-1.amazonaws.com"; c.Endpoint() != want {
		t.Errorf("Endpoint() = %q, want %q", c.Endpoint(), want)
	}
	_, err = New(context.Background(), Options{Profile: "nosuch"})
	if err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown profile: err = %v, want one naming the profile", err)
	}
}

func TestMissingCredentialsIsAuth(t *testing.T) {
	s := modeltest.NewBedrock(modeltest.Turn{Text: []string{"unreachable"}})
	defer s.Close()
	modeltest.BedrockEnv(t, s)
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")

	c, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = c.Stream(context.Background(), simpleRequest(), nil)
	if k := model.KindOf(err); k != model.KindAuth {
		t.Fatalf("kind = %d, want KindAuth (%v)", k, err)
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("message = %q, want one line about credentials", err)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

func TestUnreachableNamesEndpoint(t *testing.T) {
	s := modeltest.NewBedrock()
	modeltest.BedrockEnv(t, s)
	s.Close() // nothing listens there any more

	c, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = c.Stream(context.Background(), simpleRequest(), nil)
	var ae *model.APIError
	if !errors.As(err, &ae) || ae.Kind != model.KindNoServer || !ae.Retryable() {
		t.Fatalf("err = %v, want retryable KindNoServer", err)
	}
	if !strings.Contains(err.Error(), s.URL) || !strings.HasSuffix(err.Error(), "; start the server, or set AWS_ENDPOINT_URL_BEDROCK_RUNTIME to its address") {
		t.Errorf("message %q does not name %s and the endpoint variable", err, s.URL)
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestHTTPClientOptionUsedAndNoSDKRetries(t *testing.T) {
	s := modeltest.NewBedrock(modeltest.Turn{Status: 503}, modeltest.Turn{Text: []string{"second"}})
	defer s.Close()
	modeltest.BedrockEnv(t, s)
	tr := &countingTransport{}
	c, err := New(context.Background(), Options{HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = c.Stream(context.Background(), simpleRequest(), nil)
	if model.KindOf(err) != model.KindServer {
		t.Fatalf("err = %v, want KindServer", err)
	}
	// The SDK would retry a 503 by itself; the adapter leaves that to the
	// caller, so exactly one request went out, through our transport.
	if n := tr.n.Load(); n != 1 {
		t.Errorf("transport carried %d requests, want 1", n)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}
