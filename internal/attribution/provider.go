// Package attribution gives AI-initiated AWS calls credentials of their
// own: when the managed setting aws.attributionRoleArn names a role, qdev
// assumes it with the user's name as STS SourceIdentity and the session
// tags qdev-ai=true and qdev-user=<name>, and hands the temporary
// credentials to the children of use_aws and execute_bash.
//
// The point is that the marks cannot be shed by the model: SourceIdentity
// is fixed for the life of the role session and survives role chaining,
// and both tags are requested as transitive, so a chained AssumeRole keeps
// them too. CloudTrail and IAM policies (aws:SourceIdentity,
// aws:PrincipalTag/qdev-ai) then see every AI call for what it is. The
// role's trust policy must allow sts:AssumeRole, sts:TagSession and
// sts:SetSourceIdentity for the user's own principal.
package attribution

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/qdev/qdev/internal/awssdk"
	"github.com/qdev/qdev/internal/netconf"
)

// RefreshBefore is how long before expiry cached credentials are replaced,
// so a child never starts with credentials about to lapse.
const RefreshBefore = 5 * time.Minute

// assumeTimeout bounds one shared AssumeRole; it is not tied to the first
// caller's context, since others may be waiting on the same call.
const assumeTimeout = 30 * time.Second

// Tag keys of the role session.
const (
	TagAI   = "qdev-ai"
	TagUser = "qdev-user"
)

// STS is the part of the STS client a Provider uses. *sts.Client
// implements it; tests substitute a fake.
type STS interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// Options configures a Provider. Every field is optional.
type Options struct {
	// UserName is the source identity and qdev-user tag; empty means $USER
	// from Environ, then the OS user.
	UserName string
	// SessionName is the RoleSessionName; empty means "qdev-<user>".
	// Either way it is sanitised to STS's character set and length.
	SessionName string
	// Environ is the user's environment, from which the base credentials,
	// profile, region and STS endpoint are taken; nil means os.Environ().
	Environ []string
	// Network and Logger are what the STS client connects through and logs
	// to, as every AWS client of q (see awssdk); nil means the defaults.
	Network *netconf.Network
	Logger  *slog.Logger
	// Now is the clock used for expiry; nil means time.Now.
	Now func() time.Time
	// Client replaces the STS client built from Environ (for tests).
	Client STS
}

// Provider assumes the attribution role on demand and caches the
// credentials. It is safe for concurrent use.
type Provider struct {
	roleArn  string
	user     string
	session  string
	userErr  error
	environ  []string
	now      func() time.Time
	injected STS
	// sdk configures the STS client built from environ.
	sdk     []func(*config.LoadOptions) error
	mu      sync.Mutex
	client  *stsClient // built lazily from environ
	cached  []string
	expires time.Time
	flight  *flight
}

// flight is one AssumeRole in progress, shared by every caller that asks
// while it runs.
type flight struct {
	done    chan struct{}
	env     []string
	err     error
	waiters int // callers that joined after it started, for tests
}

// New returns a Provider for roleArn. It does no I/O: the AWS
// configuration is loaded and the role assumed on the first Environ, so
// every problem is reported there and refuses the AWS call.
func New(roleArn string, opts Options) *Provider {
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	user, err := sourceIdentity(userName(opts.UserName, environ))
	session := opts.SessionName
	if session == "" {
		session = "qdev-" + user
	}
	return &Provider{
		roleArn:  roleArn,
		user:     user,
		session:  sessionName(session),
		userErr:  err,
		environ:  append([]string(nil), environ...),
		now:      now,
		injected: opts.Client, sdk: awssdk.Loaders(opts.Network, opts.Logger),
	}
}

// RoleArn returns the role the Provider assumes.
func (p *Provider) RoleArn() string { return p.roleArn }

// Identity returns what AWS will see on every AI-initiated call: the
// source identity and the session tags, for the local policy layer's
// aws:SourceIdentity and aws:PrincipalTag/* condition keys. The map is a
// fresh copy.
func (p *Provider) Identity() (sourceIdentity string, tags map[string]string) {
	return p.user, map[string]string{TagAI: "true", TagUser: p.user}
}

// Environ returns the variables to add to the environment of a child that
// may call AWS (see childEnviron for exactly which and why). It assumes
// the role when nothing is cached or the cached credentials expire within
// RefreshBefore; concurrent callers share one AssumeRole. An error is one
// line naming the role and the cause, and means the call must not run.
func (p *Provider) Environ(ctx context.Context) ([]string, error) {
	if p.userErr != nil {
		return nil, fmt.Errorf("cannot assume the attribution role %s: %v", p.roleArn, p.userErr)
	}
	p.mu.Lock()
	if p.cached != nil && p.now().Before(p.expires.Add(-RefreshBefore)) {
		env := append([]string(nil), p.cached...)
		p.mu.Unlock()
		return env, nil
	}
	f := p.flight
	if f != nil {
		f.waiters++
	} else {
		f = &flight{done: make(chan struct{})}
		p.flight = f
		go p.fly(context.WithoutCancel(ctx), f)
	}
	p.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
		return append([]string(nil), f.env...), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("cannot assume the attribution role %s: %w", p.roleArn, ctx.Err())
	}
}

// fly runs one AssumeRole and publishes its outcome; a failure is not
// cached, so the next call tries again.
func (p *Provider) fly(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, assumeTimeout)
	defer cancel()
	env, expires, err := p.assume(ctx)
	p.mu.Lock()
	if err == nil {
		p.cached, p.expires = env, expires
	}
	f.env, f.err = env, err
	p.flight = nil
	p.mu.Unlock()
	close(f.done)
}
