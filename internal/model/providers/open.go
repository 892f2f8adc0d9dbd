// Package providers turns a "provider/model-id" reference into a ready
// model.Provider, and knows the Q CLI's model names.
package providers

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/anthropic"
	"github.com/qdev/qdev/internal/model/bedrock"
	"github.com/qdev/qdev/internal/model/openai"
	"github.com/qdev/qdev/internal/netconf"
)

// Names lists the supported provider prefixes.
var Names = []string{"bedrock", "openai", "ollama", "anthropic"}

// qAliases maps the model names of the Q and Kiro CLIs to Bedrock model
// ids (cross-region inference profiles where Bedrock requires one), so
// `--model claude-sonnet-4.5` and an agent file's "model" keep working for
// people who switch. Names are matched without regard to case, as the Q
// CLI does; claude-4-sonnet is the Q CLI's older spelling.
var qAliases = map[string]string{
	"claude-3.5-sonnet": "anthropic.claude-3-5-sonnet-20241022-v2:0",
	"claude-3.7-sonnet": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
	"claude-4-sonnet":   "us.anthropic.claude-sonnet-4-20250514-v1:0",
	"claude-sonnet-4":   "us.anthropic.claude-sonnet-4-20250514-v1:0",
	"claude-sonnet-4.5": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
	"claude-haiku-4.5":  "us.anthropic.claude-haiku-4-5-20251001-v1:0",
	"claude-opus-4.1":   "us.anthropic.claude-opus-4-1-20250805-v1:0",
	"claude-opus-4.5":   "us.anthropic.claude-opus-4-5-20251101-v1:0",
}

// QModels are the Q and Kiro CLI model names, offered by /model.
var QModels = []string{"claude-sonnet-4.5", "claude-sonnet-4", "claude-haiku-4.5", "claude-opus-4.5", "claude-opus-4.1", "claude-3.7-sonnet", "claude-3.5-sonnet"}

// HowToConfigure is the one-line hint shown when no model is configured.
const HowToConfigure = "no model configured: run `q chat --model PROVIDER/MODEL` (bedrock/…, openai/…, ollama/…, anthropic/…) or `q settings chat.defaultModel PROVIDER/MODEL` — see the README's Quick start"

// Split parses a model reference into provider and model id. A bare Q CLI
// model name means Bedrock.
func Split(ref string) (provider, id string, err error) {
	ref = strings.TrimSpace(ref)
	if id, ok := qAliases[strings.ToLower(ref)]; ok {
		return "bedrock", id, nil
	}
	provider, id, ok := strings.Cut(ref, "/")
	if !ok || provider == "" || id == "" {
		return "", "", fmt.Errorf("invalid model %q: use PROVIDER/MODEL where PROVIDER is one of %s, or a Q CLI model name (%s)",
			ref, strings.Join(Names, ", "), strings.Join(QModels, ", "))
	}
	for _, n := range Names {
		if n == provider {
			return provider, id, nil
		}
	}
	return "", "", fmt.Errorf("unknown model provider %q in %q: use one of %s", provider, ref, strings.Join(Names, ", "))
}

// Options are what every provider shares.
type Options struct {
	// Network gives the proxy and trusted CAs of the provider's
	// connections; nil means the environment's proxy and the system roots.
	Network *netconf.Network
	// Logger is q's log, which receives what SDKs log by themselves.
	Logger *slog.Logger
}

// Open returns the provider for ref, wrapped with the default retry policy,
// and the provider's model id.
func Open(ctx context.Context, ref string, o Options) (model.Provider, string, error) {
	name, id, err := Split(ref)
	if err != nil {
		return nil, "", err
	}
	var p model.Provider
	switch name {
	case "bedrock":
		p, err = bedrock.New(ctx, bedrock.Options{Network: o.Network, Logger: o.Logger})
	case "openai":
		p, err = openai.New(openai.Options{HTTPClient: o.Network.Client()})
	case "ollama":
		p, err = openai.NewOllama(openai.Options{HTTPClient: o.Network.Client()})
	case "anthropic":
		p, err = anthropic.New(anthropic.Options{HTTPClient: o.Network.Client()})
	}
	if err != nil {
		return nil, "", err
	}
	return model.WithRetry(p, model.DefaultRetry), id, nil
}
