// Package anthropic implements model.Provider for the Anthropic Messages
// API with streaming, tool use and images.
package anthropic

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/netconf"
)

// DefaultBaseURL is the Anthropic API root used when neither
// Options.BaseURL nor ANTHROPIC_BASE_URL is set.
const DefaultBaseURL = "https://api.anthropic.com"

// DefaultMaxTokens is the output limit sent when Request.MaxTokens is 0;
// the API requires one.
const DefaultMaxTokens = 8192

// Options configures a Client. Zero fields take their defaults.
type Options struct {
	// BaseURL is the API root, without /v1; default ANTHROPIC_BASE_URL, then DefaultBaseURL.
	BaseURL string
	// APIKey is sent as x-api-key; default ANTHROPIC_API_KEY. Required.
	APIKey string
	// HTTPClient carries the requests; default http.DefaultClient.
	HTTPClient *http.Client
	// ProviderName is what Name returns; default "anthropic".
	ProviderName string
}

// Client is a model.Provider speaking the Messages API. It keeps no
// per-call state and is safe for concurrent use.
type Client struct {
	name     string
	endpoint model.Endpoint
	svc      anthropic.MessageService
	tools    model.ToolCache[anthropic.ToolUnionParam]
}

// New returns a client for the Anthropic API or a server speaking it. It
// fails when no API key is known.
func New(opts Options) (*Client, error) {
	if opts.ProviderName == "" {
		opts.ProviderName = "anthropic"
	}
	if opts.BaseURL == "" {
		opts.BaseURL = os.Getenv("ANTHROPIC_BASE_URL")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.APIKey == "" {
		opts.APIKey = os.Getenv("ANTHROPIC_API_KEY")
	}
	if opts.APIKey == "" {
		return nil, fmt.Errorf("%s: ANTHROPIC_API_KEY is not set", opts.ProviderName)
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an http(s) URL", opts.ProviderName, opts.BaseURL)
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	ro := []option.RequestOption{
		option.WithBaseURL(base + "/"),
		option.WithAPIKey(opts.APIKey),
		// The agent retries with its own backoff and reports each attempt.
		option.WithMaxRetries(0),
	}
	if opts.HTTPClient != nil {
		ro = append(ro, option.WithHTTPClient(opts.HTTPClient))
	}
	hint := "start the server, or set ANTHROPIC_BASE_URL to its address"
	if base == DefaultBaseURL {
		hint = netconf.HintNetwork
	}
	return &Client{
		name:     opts.ProviderName,
		endpoint: model.Endpoint{URL: base, Hint: hint},
		// Built without anthropic.NewClient, whose defaults would also
		// load ANTHROPIC_AUTH_TOKEN, profiles and federation credentials
		// from the environment and home directory.
		svc: anthropic.NewMessageService(ro...),
	}, nil
}

// Name returns the provider prefix of model references, such as "anthropic".
func (c *Client) Name() string { return c.name }
