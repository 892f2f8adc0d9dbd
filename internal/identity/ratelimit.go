package identity

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// Limits on guessing. Failed sign-ins and code entries are counted in the
// store, so every replica enforces one budget per account and per address.
const (
	failureWindow     = 15 * time.Minute
	accountFailures   = 5  // per account per window
	addressFailures   = 20 // per address per window
	deviceCodeEntries = 10 // wrong user codes per address per window
	// tokenRate is how many requests an address may make per minute to
	// the token, revocation and device authorization endpoints. A device
	// polling every five seconds needs 12.
	tokenRate = 120
)

// clientAddress is the address the request came from, without its port.
// Forwarded headers are not believed: anyone can send them.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func accountSubject(email string) string { return "account:" + email }
func addressSubject(addr string) string  { return "address:" + addr }
func codeSubject(addr string) string     { return "device-code:" + addr }

// takeAttempt counts one attempt against each subject of limits, as a
// failure until forgiveAttempt takes it back, and reports false when a
// subject has already had its limit of failures within the window. The
// attempt is counted before it is checked, in one step with the check, so
// that guesses sent all at once cannot all pass before any is counted.
// It returns the time the attempt was recorded at, for forgiveAttempt.
func (p *Provider) takeAttempt(ctx context.Context, limits map[string]int) (time.Time, bool, error) {
	now := p.now()
	ok, err := p.store.TakeAttempt(ctx, limits, now.Add(-failureWindow), now)
	return now, ok, err
}

// forgiveAttempt takes back an attempt that turned out not to be a failure.
func (p *Provider) forgiveAttempt(ctx context.Context, at time.Time, subjects ...string) {
	if err := p.store.ForgiveAttempt(ctx, subjects, at); err != nil {
		p.log.Error("forgiving a sign-in attempt", "err", err)
	}
}

func (p *Provider) recordFailures(ctx context.Context, subjects ...string) {
	for _, s := range subjects {
		if err := p.store.RecordFailure(ctx, s, p.now()); err != nil {
			p.log.Error("recording a failed sign-in", "err", err)
		}
	}
}

// limiter counts requests per address per minute, in this replica's
// memory: it shields the token endpoints from floods, where exact counts
// across replicas do not matter.
type limiter struct {
	now    func() time.Time
	mu     sync.Mutex
	minute int64
	counts map[string]int
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, counts: map[string]int{}}
}

// allow counts a request from addr and reports whether it is within perMinute.
func (l *limiter) allow(addr string, perMinute int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.now().Unix() / 60; m != l.minute {
		l.minute, l.counts = m, map[string]int{}
	}
	l.counts[addr]++
	return l.counts[addr] <= perMinute
}

// wrap refuses requests beyond perMinute from one address with 429 and an
// OAuth error body.
func (l *limiter) wrap(perMinute int, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.allow(clientAddress(r), perMinute) {
			w.Header().Set("Retry-After", strconv.Itoa(60-int(l.now().Unix()%60)))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":"` + string(oidc.SlowDown) + `","error_description":"too many requests; slow down"}` + "\n"))
			return
		}
		h.ServeHTTP(w, r)
	})
}
