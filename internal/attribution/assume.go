package attribution

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// fallbackRegion signs STS calls when neither the environment nor the
// profile names a region; STS is served in every region, and this is the
// one the global endpoint belongs to.
const fallbackRegion = "us-east-1"

// minSession is STS's shortest session, assumed when a response lacks an
// expiry so the credentials are at least refreshed early.
const minSession = 15 * time.Minute

// stsClient is the STS API plus what was learnt loading the base
// configuration.
type stsClient struct {
	api STS
	// profileRegion is the region the user's AWS_PROFILE supplies, to be
	// exported to children once AWS_PROFILE is removed from their
	// environment; empty when the environment sets the region itself.
	profileRegion string
}

// assume calls AssumeRole and returns the child variables and when the
// credentials expire.
func (p *Provider) assume(ctx context.Context) ([]string, time.Time, error) {
	c, err := p.stsClient(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	out, err := c.api.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(p.roleArn),
		RoleSessionName: aws.String(p.session),
		SourceIdentity:  aws.String(p.user),
		Tags: []types.Tag{
			{Key: aws.String(TagAI), Value: aws.String("true")},
			{Key: aws.String(TagUser), Value: aws.String(p.user)},
		},
		// Transitive tags survive role chaining, so the model cannot
		// shed them by assuming a further role.
		TransitiveTagKeys: []string{TagAI, TagUser},
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cannot assume the attribution role %s: %s", p.roleArn, cause(err))
	}
	cr := out.Credentials
	if cr == nil || aws.ToString(cr.AccessKeyId) == "" || aws.ToString(cr.SecretAccessKey) == "" {
		return nil, time.Time{}, fmt.Errorf("cannot assume the attribution role %s: STS returned no credentials", p.roleArn)
	}
	expires := p.now().Add(minSession)
	if cr.Expiration != nil {
		expires = *cr.Expiration
	}
	env := childEnviron(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey),
		aws.ToString(cr.SessionToken), c.profileRegion)
	return env, expires, nil
}

// stsClient returns the injected client, or builds one from the user's
// environment the first time it is needed. A failed build is retried on
// the next call: the user may fix their configuration mid-session.
func (p *Provider) stsClient(ctx context.Context) (*stsClient, error) {
	p.mu.Lock()
	c := p.client
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	if p.injected != nil {
		c = &stsClient{api: p.injected}
	} else {
		var err error
		if c, err = buildClient(ctx, p.environ, p.sdk); err != nil {
			return nil, fmt.Errorf("cannot assume the attribution role %s: load the AWS configuration: %s", p.roleArn, oneLine(err.Error()))
		}
	}
	p.mu.Lock()
	p.client = c
	p.mu.Unlock()
	return c, nil
}

// buildClient loads the AWS configuration as the user's own AWS CLI would
// see it in environ. The SDK reads the process environment by itself, so
// everything environ says about credentials, profile, region, shared
// files and the STS endpoint is passed explicitly and takes precedence.
// (qdev derives environ from its own environment, so the rest agrees.)
func buildClient(ctx context.Context, environ []string, sdk []func(*config.LoadOptions) error) (*stsClient, error) {
	get := func(key string) string { v, _ := lookup(environ, key); return v }
	loaders := append([]func(*config.LoadOptions) error(nil), sdk...)
	profile := firstOf(get("AWS_PROFILE"), get("AWS_DEFAULT_PROFILE"))
	if profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(profile))
	}
	if f := get("AWS_CONFIG_FILE"); f != "" {
		loaders = append(loaders, config.WithSharedConfigFiles([]string{f}))
	}
	if f := get("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		loaders = append(loaders, config.WithSharedCredentialsFiles([]string{f}))
	}
	envRegion := firstOf(get("AWS_REGION"), get("AWS_DEFAULT_REGION"))
	if envRegion != "" {
		loaders = append(loaders, config.WithRegion(envRegion))
	}
	// Keys in the environment beat a profile, as in the AWS CLI.
	if id, secret := get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		token := firstOf(get("AWS_SESSION_TOKEN"), get("AWS_SECURITY_TOKEN"))
		loaders = append(loaders, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret, token)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, err
	}
	c := &stsClient{}
	if profile != "" && envRegion == "" {
		c.profileRegion = cfg.Region
	}
	if cfg.Region == "" {
		cfg.Region = fallbackRegion
	}
	var endpoint *string
	if !strings.EqualFold(get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		if ep := firstOf(get("AWS_ENDPOINT_URL_STS"), get("AWS_ENDPOINT_URL")); ep != "" {
			endpoint = aws.String(ep)
		}
	}
	c.api = sts.NewFromConfig(cfg, func(o *sts.Options) {
		// Always assigned, so an endpoint only in our own process
		// environment is not used when environ has none.
		o.BaseEndpoint = endpoint
	})
	return c, nil
}

// cause shortens an SDK error to the service's code and message when
// there is one ("AccessDenied: User … is not authorized …").
func cause(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		if msg := api.ErrorMessage(); msg != "" {
			return oneLine(api.ErrorCode() + ": " + msg)
		}
		return api.ErrorCode()
	}
	return oneLine(err.Error())
}

// oneLine collapses runs of whitespace, newlines included, to one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// lookup returns the value of key in environ; the last entry wins, as in
// exec.Cmd.
func lookup(environ []string, key string) (string, bool) {
	val, found := "", false
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			val, found = v, true
		}
	}
	return val, found
}
