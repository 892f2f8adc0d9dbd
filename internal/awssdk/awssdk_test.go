package awssdk

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	smithylog "github.com/aws/smithy-go/logging"
)

func TestLoggerGoesToQsLog(t *testing.T) {
	var buf bytes.Buffer
	Logger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))).
		Logf(smithylog.Warn, "falling back to %s", "IMDSv1")
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, `msg="falling back to IMDSv1"`) || !strings.Contains(got, "source=aws-sdk") {
		t.Errorf("log = %q", got)
	}
	Logger(nil).Logf(smithylog.Warn, "dropped") // must not panic or print
	if n := len(Loaders(nil, nil)); n != 2 {
		t.Errorf("%d loaders", n)
	}
}
