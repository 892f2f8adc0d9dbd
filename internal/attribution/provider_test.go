package attribution

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

const testRole = "arn:aws:iam::123456789012:role/qdev-ai"

// fakeSTS answers AssumeRole with numbered keys valid for an hour from
// *now, or with err; gate, when set, holds each call until closed.
type fakeSTS struct {
	mu      sync.Mutex
	now     *time.Time
	err     error
	gate    chan struct{}
	entered chan struct{}
	inputs  []*sts.AssumeRoleInput
}

func (f *fakeSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	f.mu.Lock()
	f.inputs = append(f.inputs, in)
	n, err, gate, entered := len(f.inputs), f.err, f.gate, f.entered
	exp := f.now.Add(time.Hour)
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		<-gate
	}
	if err != nil {
		return nil, err
	}
	return &sts.AssumeRoleOutput{Credentials: &types.Credentials{
		AccessKeyId:     aws.String(fmt.Sprintf("ASIA%d", n)),
		SecretAccessKey: aws.String("secret"),
		SessionToken:    aws.String("token"),
		Expiration:      &exp,
	}}, nil
}

func (f *fakeSTS) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.inputs)
}

// clockedProvider returns a provider over a fake STS and a settable clock.
func clockedProvider(t *testing.T) (*Provider, *fakeSTS, *time.Time) {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := &fakeSTS{now: &now}
	p := New(testRole, Options{UserName: "alice", Environ: []string{}, Now: func() time.Time { return now }, Client: f})
	return p, f, &now
}

func keyOf(t *testing.T, env []string) string {
	t.Helper()
	v, ok := lookup(env, "AWS_ACCESS_KEY_ID")
	if !ok {
		t.Fatalf("no AWS_ACCESS_KEY_ID in %q", env)
	}
	return v
}

func TestEnvironCachesUntilShortlyBeforeExpiry(t *testing.T) {
	p, f, now := clockedProvider(t)
	ctx := context.Background()
	steps := []struct {
		advance time.Duration
		key     string
		calls   int
	}{
		{0, "ASIA1", 1},
		{time.Minute, "ASIA1", 1},
		{53 * time.Minute, "ASIA1", 1}, // 6 minutes left
		{2 * time.Minute, "ASIA2", 2},  // 4 minutes left: refreshed
		{time.Minute, "ASIA2", 2},
		{3 * time.Hour, "ASIA3", 3}, // long expired
	}
	for i, s := range steps {
		*now = now.Add(s.advance)
		env, err := p.Environ(ctx)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := keyOf(t, env); got != s.key || f.calls() != s.calls {
			t.Errorf("step %d: key %s after %d STS calls, want %s after %d", i, got, f.calls(), s.key, s.calls)
		}
	}
}

func TestEnvironRequestCarriesIdentity(t *testing.T) {
	p, f, _ := clockedProvider(t)
	env, err := p.Environ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in := f.inputs[0]
	if aws.ToString(in.RoleArn) != testRole || aws.ToString(in.SourceIdentity) != "alice" ||
		aws.ToString(in.RoleSessionName) != "qdev-alice" {
		t.Errorf("input = role %q, source %q, session %q", aws.ToString(in.RoleArn),
			aws.ToString(in.SourceIdentity), aws.ToString(in.RoleSessionName))
	}
	tags := map[string]string{}
	for _, tag := range in.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if len(tags) != 2 || tags["qdev-ai"] != "true" || tags["qdev-user"] != "alice" {
		t.Errorf("tags = %v", tags)
	}
	if !slices.Equal(in.TransitiveTagKeys, []string{"qdev-ai", "qdev-user"}) {
		t.Errorf("transitive keys = %v", in.TransitiveTagKeys)
	}
	want := append(slices.Clone(unsetVars), "AWS_ACCESS_KEY_ID=ASIA1", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token")
	for _, v := range []string{"AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if !slices.Contains(env, v) {
			t.Errorf("Environ does not unset %s", v)
		}
	}
	if !slices.Equal(env, want) {
		t.Errorf("Environ = %q, want %q", env, want)
	}
	src, ptags := p.Identity()
	if src != "alice" || len(ptags) != 2 || ptags["qdev-ai"] != "true" || ptags["qdev-user"] != "alice" {
		t.Errorf("Identity = %q, %v", src, ptags)
	}
}

func TestConcurrentCallersShareOneAssumeRole(t *testing.T) {
	p, f, _ := clockedProvider(t)
	f.gate, f.entered = make(chan struct{}), make(chan struct{}, 1)
	const n = 8
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := func(i int) {
		wg.Go(func() {
			env, err := p.Environ(context.Background())
			errs[i] = err
			if err == nil {
				keys[i], _ = lookup(env, "AWS_ACCESS_KEY_ID")
			}
		})
	}
	start(0)
	<-f.entered // the first caller's AssumeRole is in progress
	for i := 1; i < n; i++ {
		start(i)
	}
	// Release STS only once every other caller has joined the flight, so
	// a provider that called STS per caller would be caught.
	waitFor(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.flight != nil && p.flight.waiters == n-1
	})
	close(f.gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || keys[i] != "ASIA1" {
			t.Errorf("caller %d: key %q, err %v", i, keys[i], errs[i])
		}
	}
	if f.calls() != 1 {
		t.Errorf("%d AssumeRole calls, want 1", f.calls())
	}
}

func TestCancelledWaiterDoesNotCancelTheCall(t *testing.T) {
	p, f, _ := clockedProvider(t)
	f.gate, f.entered = make(chan struct{}), make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := p.Environ(ctx); done <- err }()
	<-f.entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), testRole) {
		t.Errorf("cancelled caller: %v", err)
	}
	close(f.gate)
	if _, err := p.Environ(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.calls() != 1 {
		t.Errorf("%d AssumeRole calls, want 1 (the first call's result is kept)", f.calls())
	}
}

func TestFailureIsOneLineAndNotCached(t *testing.T) {
	p, f, _ := clockedProvider(t)
	f.err = &smithy.GenericAPIError{Code: "AccessDenied",
		Message: "User: arn:aws:iam::123456789012:user/alice is not authorized\nto perform: sts:SetSourceIdentity"}
	_, err := p.Environ(context.Background())
	want := "cannot assume the attribution role " + testRole +
		": AccessDenied: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:SetSourceIdentity"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	f.mu.Lock()
	f.err = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	f.mu.Unlock()
	if _, err = p.Environ(context.Background()); err == nil || !strings.HasSuffix(err.Error(), "connection refused") {
		t.Errorf("second err = %v", err)
	}
	f.mu.Lock()
	f.err = nil
	f.mu.Unlock()
	if env, err := p.Environ(context.Background()); err != nil || keyOf(t, env) != "ASIA3" {
		t.Errorf("after recovery: %v %v", env, err)
	}
}

func TestBadUserNameRefusesWithoutCallingSTS(t *testing.T) {
	f := &fakeSTS{now: new(time.Time)}
	p := New(testRole, Options{UserName: "é", Client: f})
	_, err := p.Environ(context.Background())
	if err == nil || !strings.Contains(err.Error(), testRole) || !strings.Contains(err.Error(), "source identity") || f.calls() != 0 {
		t.Errorf("err = %v after %d calls", err, f.calls())
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; it synchronises on state, not on elapsed time.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
