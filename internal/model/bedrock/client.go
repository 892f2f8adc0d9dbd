// Package bedrock is the Amazon Bedrock model adapter. It speaks the
// ConverseStream API through the AWS SDK, so every Bedrock model family
// (Claude, Nova, Llama, Mistral, DeepSeek, …) works the same way.
package bedrock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/qdev/qdev/internal/awssdk"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/netconf"
)

// ProviderName is the model-reference prefix of this adapter ("bedrock/…").
const ProviderName = "bedrock"

// ErrNoRegion is returned by New when no AWS region is configured anywhere.
var ErrNoRegion = errors.New("bedrock: no AWS region configured: set AWS_REGION (export AWS_REGION=us-east-1), " +
	"or give your AWS profile a region (aws configure set region us-east-1; AWS_PROFILE selects the profile)")

// Options configures a Client. The zero value uses the default AWS
// credential chain, region and endpoint resolution.
type Options struct {
	// Region overrides AWS_REGION, AWS_DEFAULT_REGION and the profile's region.
	Region string
	// Profile selects a shared-config profile instead of AWS_PROFILE/default.
	Profile string
	// Network gives the proxy and the trusted CAs; nil means the
	// environment's proxy variables and the system's roots. The SDK adds
	// AWS_CA_BUNDLE and the profile's ca_bundle to those roots itself.
	Network *netconf.Network
	// HTTPClient, when set, carries all requests instead of a transport
	// built from Network; the SDK cannot add a CA bundle to it.
	HTTPClient *http.Client
	// Logger receives the SDK's own log lines (such as its warning when it
	// falls back to IMDSv1), which must not reach the terminal; nil
	// discards them.
	Logger *slog.Logger
}

// Client is a model.Provider backed by Bedrock ConverseStream. It is safe
// for concurrent use.
type Client struct {
	api      *bedrockruntime.Client
	endpoint model.Endpoint // for error messages only
}

var _ model.Provider = (*Client)(nil)

// New loads the AWS configuration the way the AWS CLI does (environment,
// shared config and credentials files, SSO, IMDS) and returns a client. It
// fails with ErrNoRegion when no region is set. Credentials are resolved
// lazily, on the first call, so New never blocks on the network.
//
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME (and the profile's services section) is
// honoured by the SDK itself. SDK retries are disabled: model.WithRetry
// retries, and only while nothing has been streamed.
func New(ctx context.Context, opts Options) (*Client, error) {
	loaders := append(awssdk.Loaders(opts.Network, opts.Logger),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }))
	if opts.Region != "" {
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.HTTPClient != nil {
		loaders = append(loaders, config.WithHTTPClient(opts.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("bedrock: load AWS configuration: %s", oneLine(err.Error()))
	}
	if cfg.Region == "" {
		return nil, ErrNoRegion
	}
	api := bedrockruntime.NewFromConfig(cfg, guardHTTPClient)
	endpoint := model.Endpoint{URL: "https://bedrock-runtime." + cfg.Region + ".amazonaws.com",
		Hint: "check AWS_REGION (" + cfg.Region + " must offer Bedrock) and " + netconf.HintNetwork}
	if ep := api.Options().BaseEndpoint; ep != nil && *ep != "" {
		endpoint = model.Endpoint{URL: *ep,
			Hint: "start the server, or set AWS_ENDPOINT_URL_BEDROCK_RUNTIME to its address"}
	}
	return &Client{api: api, endpoint: endpoint}, nil
}

// Name returns "bedrock".
func (c *Client) Name() string { return ProviderName }

// Endpoint returns the URL requests go to, as resolved from the options,
// environment and shared config.
func (c *Client) Endpoint() string { return c.endpoint.URL }

// Stream sends req through ConverseStream and reports text and tool calls
// as they arrive. Service and transport failures are *model.APIError;
// cancellation returns ctx.Err(), and a request that cannot be expressed in
// Converse (say, a BMP image) a plain error naming the message and block,
// before anything is sent. After a failure the returned Response, when not nil,
// holds the text received so far (tool calls are dropped, since their input
// may be incomplete).
func (c *Client) Stream(ctx context.Context, req *model.Request, onEvent func(model.Event)) (*model.Response, error) {
	in, err := buildInput(req)
	if err != nil {
		return nil, err
	}
	asm := newAssembler(onEvent)

	out, err := c.api.ConverseStream(ctx, in)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, classify(err, c.endpoint)
	}
	stream := out.GetStream()
	// Close stops the SDK's reader goroutine and releases the connection,
	// whether the loop below ends normally or by cancellation.
	defer stream.Close()

	events := stream.Events()
loop:
	for {
		select {
		case <-ctx.Done():
			return asm.response(req, true), ctx.Err()
		case ev, ok := <-events:
			if !ok {
				break loop
			}
			asm.handle(ev)
		}
	}
	if ctx.Err() != nil {
		return asm.response(req, true), ctx.Err()
	}
	if err := stream.Err(); err != nil {
		return c.streamFailure(req, asm, err)
	}
	if !asm.stopped {
		// The SDK reads a connection cut at a frame boundary, or even
		// mid-frame, as a clean end of stream; only the missing messageStop
		// tells a broken answer from a finished one.
		return c.streamFailure(req, asm, errors.New("stream ended before messageStop"))
	}
	return asm.response(req, false), nil
}

func (c *Client) streamFailure(req *model.Request, asm *assembler, err error) (*model.Response, error) {
	if asm.started {
		return asm.response(req, true), &model.APIError{
			Provider: ProviderName,
			Kind:     model.KindStreamBroken,
			Message:  "stream broken after output started: " + oneLine(err.Error()),
			Err:      err,
		}
	}
	if isServiceError(err) {
		// An exception event (throttling, validation, …) before any output.
		return asm.response(req, true), classify(err, c.endpoint)
	}
	// The request was accepted, so the service was reachable; a stream that
	// dies before saying anything is worth another attempt.
	return asm.response(req, true), &model.APIError{
		Provider: ProviderName,
		Kind:     model.KindServer,
		Message:  "stream failed before any output: " + oneLine(err.Error()),
		Err:      err,
	}
}
