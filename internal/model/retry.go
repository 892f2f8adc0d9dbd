package model

import (
	"context"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how patiently a failed call is repeated.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries.
	MaxAttempts int
	// Base is the first back-off; each further attempt doubles it up to Max.
	Base, Max time.Duration
}

// DefaultRetry is the policy the chat session uses: throttling and server
// errors are retried five times with full jitter, capped at 20 seconds. A
// refused connection or unknown host is retried once only (KindNoServer).
var DefaultRetry = RetryPolicy{MaxAttempts: 6, Base: 500 * time.Millisecond, Max: 20 * time.Second}

// WithRetry wraps p so that retryable failures are repeated with
// exponential back-off and full jitter. Each retry is announced to the
// caller as an EventRetry, so the user sees why nothing is happening.
//
// A call is only repeated while nothing has been streamed yet: once text has
// reached the caller a retry would show it twice, so the error is returned
// with the partial response instead.
func WithRetry(p Provider, policy RetryPolicy) Provider {
	if policy.MaxAttempts < 1 {
		policy.MaxAttempts = 1
	}
	return &retrying{p: p, policy: policy}
}

type retrying struct {
	p      Provider
	policy RetryPolicy
}

func (r *retrying) Name() string { return r.p.Name() }

func (r *retrying) Stream(ctx context.Context, req *Request, onEvent func(Event)) (*Response, error) {
	for attempt := 1; ; attempt++ {
		streamed := false
		resp, err := r.p.Stream(ctx, req, func(e Event) {
			streamed = true
			onEvent(e)
		})
		if err == nil || streamed || ctx.Err() != nil {
			return resp, err
		}
		ae, ok := err.(*APIError)
		if !ok || !ae.Retryable() || attempt >= r.maxAttempts(ae.Kind) {
			return resp, err
		}
		wait := r.backoff(attempt)
		onEvent(Event{Type: EventRetry, Attempt: attempt, Attempts: r.maxAttempts(ae.Kind), Wait: wait.Seconds(), Err: err})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return resp, ctx.Err()
		case <-t.C:
		}
	}
}

// noServerAttempts bounds the attempts when nothing listens or the host
// name is unknown: a second try covers a server that is just starting, more
// only keep the user waiting for an answer that will not come.
const noServerAttempts = 2

func (r *retrying) maxAttempts(k ErrorKind) int {
	if k == KindNoServer {
		return min(r.policy.MaxAttempts, noServerAttempts)
	}
	return r.policy.MaxAttempts
}

func (r *retrying) backoff(attempt int) time.Duration {
	d := r.policy.Base << (attempt - 1)
	if d <= 0 || d > r.policy.Max {
		d = r.policy.Max
	}
	// Full jitter spreads simultaneous clients apart after a shared 429.
	return d/2 + rand.N(d/2+1)
}
