package bedrock

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
)

// syncBuffer is a bytes.Buffer safe for the SDK's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSDKLogGoesToTheLogNotTheTerminal: without credentials the SDK asks
// instance metadata, and an IMDS that refuses IMDSv2 tokens (as older
// setups do) makes it warn "falling back to IMDSv1". That line belongs in
// q's log; nothing of the SDK's may reach stderr.
func TestSDKLogGoesToTheLogNotTheTerminal(t *testing.T) {
	var tokenAsked bool
	var mu sync.Mutex
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" {
			mu.Lock()
			tokenAsked = true
			mu.Unlock()
			http.Error(w, "IMDSv2 is not enabled", http.StatusForbidden)
			return
		}
		http.NotFound(w, r)
	}))
	defer imds.Close()
	s := modeltest.NewBedrock(modeltest.Turn{Text: []string{"unused"}})
	defer s.Close()
	modeltest.BedrockEnv(t, s)
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)

	// The SDK's default logger writes to the os.Stderr of when the
	// configuration is loaded.
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = stderr
	defer func() { os.Stderr = saved }()

	var log syncBuffer
	c, err := New(context.Background(), Options{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Stream(context.Background(), simpleRequest(), nil)
	os.Stderr = saved
	if model.KindOf(err) != model.KindAuth {
		t.Errorf("err = %v, want a credentials error", err)
	}
	mu.Lock()
	asked := tokenAsked
	mu.Unlock()
	if !asked {
		t.Fatal("the SDK never asked the instance metadata for a token; the test proves nothing")
	}
	if out, _ := os.ReadFile(stderr.Name()); len(out) != 0 {
		t.Errorf("the SDK wrote to stderr: %q", out)
	}
	if got := log.String(); !strings.Contains(got, "falling back to IMDSv1") || !strings.Contains(got, "source=aws-sdk") || !strings.Contains(got, "level=WARN") {
		t.Errorf("q's log = %q, want the SDK's IMDSv1 warning", got)
	}
}
