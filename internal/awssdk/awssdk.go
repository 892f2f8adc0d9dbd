// Package awssdk holds what every AWS SDK client q builds shares: the
// SDK's log lines go to q's log instead of the terminal, and its
// connections go through the network settings (proxy, trusted CAs).
package awssdk

import (
	"context"
	"fmt"
	"log/slog"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	smithylog "github.com/aws/smithy-go/logging"

	"github.com/qdev/qdev/internal/netconf"
)

// Loaders returns the configuration options every client of q loads with:
// log lines to l (nil discards them) and connections through n (nil: the
// proxy from the environment and the system's CAs). The HTTP client is a
// buildable one, so that the SDK can still add AWS_CA_BUNDLE and a
// profile's ca_bundle to the roots itself.
func Loaders(n *netconf.Network, l *slog.Logger) []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithLogger(Logger(l)),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(n.Configure)),
	}
}

// Logger passes the SDK's log lines to l (q's log file): the SDK's default
// logger writes them to stderr, in the middle of the chat.
func Logger(l *slog.Logger) smithylog.Logger {
	if l == nil {
		return smithylog.Nop{}
	}
	return smithylog.LoggerFunc(func(c smithylog.Classification, format string, v ...any) {
		level := slog.LevelDebug
		if c == smithylog.Warn {
			level = slog.LevelWarn
		}
		l.Log(context.Background(), level, fmt.Sprintf(format, v...), "source", "aws-sdk")
	})
}
