package model_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/model"
)

// failing is a provider whose every call fails with err.
type failing struct {
	err   error
	calls int
}

func (f *failing) Name() string { return "test" }

func (f *failing) Stream(context.Context, *model.Request, func(model.Event)) (*model.Response, error) {
	f.calls++
	return nil, f.err
}

func TestRetryAttemptsByKind(t *testing.T) {
	policy := model.RetryPolicy{MaxAttempts: 6, Base: time.Millisecond, Max: 2 * time.Millisecond}
	for _, c := range []struct {
		kind      model.ErrorKind
		max       int
		wantCalls int
	}{
		{model.KindServer, 6, 6},
		{model.KindThrottled, 6, 6},
		{model.KindUnreachable, 6, 6},
		{model.KindNoServer, 6, 2}, // refused or unknown host: one retry only
		{model.KindNoServer, 1, 1}, // and never more than the policy allows
		{model.KindCertificate, 6, 1},
		{model.KindAuth, 6, 1},
	} {
		p := policy
		p.MaxAttempts = c.max
		f := &failing{err: &model.APIError{Provider: "test", Kind: c.kind, Message: "failed", Hint: "do this"}}
		var retries []model.Event
		_, err := model.WithRetry(f, p).Stream(context.Background(), &model.Request{}, func(e model.Event) {
			if e.Type == model.EventRetry {
				retries = append(retries, e)
			}
		})
		if f.calls != c.wantCalls || len(retries) != c.wantCalls-1 {
			t.Errorf("kind %d, policy %d: %d calls and %d retry events, want %d calls", c.kind, c.max, f.calls, len(retries), c.wantCalls)
		}
		for i, e := range retries {
			if e.Attempt != i+1 || e.Attempts != c.wantCalls {
				t.Errorf("kind %d: retry event %d says attempt %d of %d, want %d of %d", c.kind, i, e.Attempt, e.Attempts, i+1, c.wantCalls)
			}
		}
		if err == nil || err.Error() != "test: failed; do this" {
			t.Errorf("kind %d: final error %v, want the last attempt's with its hint", c.kind, err)
		}
	}
}

func TestClassifyUnreached(t *testing.T) {
	ep := model.Endpoint{URL: "http://localhost:11434/v1", Hint: "start Ollama"}
	dial := func(err error) error {
		return &url.Error{Op: "Post", URL: ep.URL + "/chat/completions", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	for _, c := range []struct {
		name string
		err  error
		kind model.ErrorKind
		want string
	}{
		{"refused", dial(os.NewSyscallError("connect", syscall.ECONNREFUSED)), model.KindNoServer,
			"ollama: cannot reach http://localhost:11434/v1: dial tcp: connect: connection refused; start Ollama"},
		{"unknown host", dial(&net.DNSError{Err: "no such host", Name: "ollama.invalid", IsNotFound: true}), model.KindNoServer,
			"ollama: cannot reach http://localhost:11434/v1: dial tcp: lookup ollama.invalid: no such host; start Ollama"},
		{"reset", dial(os.NewSyscallError("read", syscall.ECONNRESET)), model.KindUnreachable,
			"ollama: cannot reach http://localhost:11434/v1: dial tcp: read: connection reset by peer"},
		{"proxy refused", &url.Error{Op: "Post", URL: ep.URL, Err: &net.OpError{Op: "proxyconnect", Net: "tcp",
			Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, model.KindNoServer,
			"ollama: cannot reach the proxy for http://localhost:11434/v1: connect: connection refused; check HTTPS_PROXY and HTTP_PROXY (NO_PROXY lists the hosts reached directly)"},
	} {
		e := &model.APIError{Provider: "ollama", Err: c.err}
		model.ClassifyUnreached(e, c.err, ep)
		if e.Kind != c.kind || e.Error() != c.want {
			t.Errorf("%s: kind %d, %q\nwant kind %d, %q", c.name, e.Kind, e.Error(), c.kind, c.want)
		}
		if errors.Unwrap(e) != c.err {
			t.Errorf("%s: the cause is lost", c.name)
		}
	}
}
