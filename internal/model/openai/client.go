// Package openai implements model.Provider for OpenAI chat completions and
// for OpenAI-compatible servers (Ollama, vLLM, gateways) with streaming and
// tool calls.
package openai

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/netconf"
)

// DefaultBaseURL is the OpenAI API endpoint used when neither
// Options.BaseURL nor OPENAI_BASE_URL is set.
const DefaultBaseURL = "https://api.openai.com/v1"

// DefaultOllamaBaseURL is Ollama's OpenAI-compatible endpoint on this machine.
const DefaultOllamaBaseURL = "http://localhost:11434/v1"

// Options configures a Client. Zero fields take their defaults.
type Options struct {
	// BaseURL is the API root including /v1; default OPENAI_BASE_URL, then DefaultBaseURL.
	BaseURL string
	// APIKey is the bearer key; default OPENAI_API_KEY.
	APIKey string
	// HTTPClient carries the requests; default http.DefaultClient.
	HTTPClient *http.Client
	// ProviderName is what Name returns; default "openai".
	ProviderName string
}

// Client is a model.Provider speaking the chat completions API. It keeps
// no per-call state and is safe for concurrent use.
type Client struct {
	name     string
	endpoint model.Endpoint
	// official is true for api.openai.com, which wants
	// max_completion_tokens where compatible servers expect max_tokens.
	official bool
	svc      openai.ChatCompletionService
	tools    model.ToolCache[openai.ChatCompletionToolUnionParam]
}

// New returns a client for OpenAI or a compatible server. It fails when no
// API key is known and the base URL is OpenAI's own; other servers may not
// need a key.
func New(opts Options) (*Client, error) {
	if opts.ProviderName == "" {
		opts.ProviderName = "openai"
	}
	if opts.BaseURL == "" {
		opts.BaseURL = os.Getenv("OPENAI_BASE_URL")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if opts.APIKey == "" {
		opts.APIKey = os.Getenv("OPENAI_API_KEY")
	}
	official := strings.TrimRight(opts.BaseURL, "/") == DefaultBaseURL
	if opts.APIKey == "" && official {
		return nil, fmt.Errorf("%s: OPENAI_API_KEY is not set", opts.ProviderName)
	}
	hint := "start the server, or set OPENAI_BASE_URL to its address"
	if official {
		hint = netconf.HintNetwork
	}
	return newClient(opts, official, hint)
}

// NewOllama returns a client for a local Ollama server: provider name
// "ollama", base URL from Options, then OLLAMA_HOST, then
// DefaultOllamaBaseURL, and the placeholder key "ollama" when none is given.
func NewOllama(opts Options) (*Client, error) {
	if opts.ProviderName == "" {
		opts.ProviderName = "ollama"
	}
	if opts.BaseURL == "" {
		opts.BaseURL = ollamaBaseURL(os.Getenv("OLLAMA_HOST"))
	}
	if opts.APIKey == "" {
		opts.APIKey = "ollama"
	}
	return newClient(opts, false, "start Ollama (`ollama serve`) or set OLLAMA_HOST to the address it listens on")
}

// ollamaBaseURL turns OLLAMA_HOST ("host", "host:port", "http://host:port")
// into the /v1 endpoint, with Ollama's default scheme and port.
func ollamaBaseURL(host string) string {
	host = strings.TrimRight(strings.TrimSpace(host), "/")
	if host == "" {
		return DefaultOllamaBaseURL
	}
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" {
		return DefaultOllamaBaseURL
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "11434")
	}
	u.Path = strings.TrimSuffix(u.Path, "/v1") + "/v1"
	return u.String()
}

// newClient builds the client; hint is what to do when nothing answers at
// the base URL.
func newClient(opts Options, official bool, hint string) (*Client, error) {
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an http(s) URL", opts.ProviderName, opts.BaseURL)
	}
	base := strings.TrimRight(opts.BaseURL, "/") + "/"
	ro := []option.RequestOption{
		option.WithBaseURL(base),
		// The agent retries with its own backoff and reports each attempt.
		option.WithMaxRetries(0),
	}
	if opts.APIKey != "" {
		ro = append(ro, option.WithAPIKey(opts.APIKey))
	}
	if opts.HTTPClient != nil {
		ro = append(ro, option.WithHTTPClient(opts.HTTPClient))
	}
	return &Client{
		name:     opts.ProviderName,
		endpoint: model.Endpoint{URL: strings.TrimRight(opts.BaseURL, "/"), Hint: hint},
		official: official,
		// The service is built without openai.NewClient so that no other
		// OPENAI_* variable (organisation, project, custom headers) leaks
		// into requests to a non-OpenAI server.
		svc: openai.NewChatCompletionService(ro...),
	}, nil
}

// Name returns the provider prefix of model references, such as "openai".
func (c *Client) Name() string { return c.name }
