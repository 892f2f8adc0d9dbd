// Package awspolicy judges AI-initiated AWS calls against the
// organisation's IAM identity policies and SCPs before they run: use_aws
// calls, and `aws …` commands found inside execute_bash command lines.
package awspolicy

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/awsaction"
	"github.com/qdev/qdev/internal/iam"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Identity is who the AWS calls run as, for aws:PrincipalArn,
// aws:username and the attribution keys.
type Identity struct {
	ARN            string
	UserName       string
	SourceIdentity string
	Tags           map[string]string
}

// Guard evaluates calls. Its policy files are read again whenever they
// change, and a file that cannot be read blocks every AWS call: the guard
// fails closed.
type Guard struct {
	PolicyFiles []string
	SCPFiles    [][]string
	// UserAgent is aws:userAgent: what the AWS CLI sends with the AI marker.
	UserAgent string
	// Identity returns the caller identity; nil or an empty result leaves
	// the principal keys out of the request context.
	Identity func() Identity
	// Extra holds further request context keys from configuration.
	Extra map[string][]string
	// Environ supplies AWS_REGION / AWS_DEFAULT_REGION when a call names no region.
	Environ []string
	Now     func() time.Time

	mu    sync.Mutex
	cache map[string]cachedPolicy
}

type cachedPolicy struct {
	mod  time.Time
	size int64
	pol  *iam.Policy
}

// New returns the guard for the managed layer's aws settings, or nil when
// no policy is configured: then nothing changes.
func New(m *managed.Settings, userAgent string, environ []string) *Guard {
	if m == nil || (len(m.AWS.PolicyFiles) == 0 && len(m.AWS.SCPFiles) == 0) {
		return nil
	}
	return &Guard{PolicyFiles: m.AWS.PolicyFiles, SCPFiles: m.AWS.SCPFiles, UserAgent: userAgent, Environ: environ,
		Extra: m.AWS.Context}
}

// Check judges the AWS calls a tool call would make. judged is false when
// the call makes none (or the guard is nil); otherwise an Allow or a Deny
// naming the decisive statement is returned.
func (g *Guard) Check(acc tool.Access) (d permission.Decision, judged bool) {
	if g == nil {
		return permission.Decision{}, false
	}
	calls, err := g.calls(acc)
	if err != nil {
		return deny("%v", err), true
	}
	if len(calls) == 0 {
		return permission.Decision{}, false
	}
	set, err := g.load()
	if err != nil {
		return deny("%v (AI-initiated AWS calls are blocked until it is fixed)", err), true
	}
	for _, c := range calls {
		accesses, err := awsaction.Resolve(c)
		if err != nil {
			return deny("cannot tell which IAM action `aws %s %s` needs: %v", c.Service, c.Operation, err), true
		}
		for _, a := range accesses {
			res := iam.Evaluate(set, iam.Request{Action: a.Action, Resource: a.Resource, Context: g.context(c)})
			if res.Decision != iam.Allow {
				return deny("%s", explain(a, res)), true
			}
		}
	}
	return permission.Decision{Kind: permission.Allow, Layer: permission.LayerIAMPolicy, Rule: "allowed by the organisation's IAM policies"}, true
}

func deny(format string, args ...any) permission.Decision {
	return permission.Decision{Kind: permission.Deny, Layer: permission.LayerIAMPolicy, Rule: managed.Blocked("aws " + fmt.Sprintf(format, args...))}
}

// calls finds the AWS CLI calls of a tool call.
func (g *Guard) calls(acc tool.Access) ([]awsaction.Call, error) {
	if acc.AWSService != "" {
		params, err := awsaction.ParamsFromJSON(acc.AWSParameters)
		if err != nil {
			return nil, fmt.Errorf("use_aws parameters: %v", err)
		}
		return []awsaction.Call{{Service: acc.AWSService, Operation: acc.AWSOperation, Params: params,
			Region: acc.AWSRegion, Profile: acc.AWSProfile}}, nil
	}
	if acc.Command == "" || !strings.Contains(acc.Command, "aws") {
		return nil, nil
	}
	cmds, err := permission.SimpleCommands(acc.Command)
	if err != nil {
		return nil, fmt.Errorf("the command mentions aws but cannot be parsed, so its AWS calls cannot be checked")
	}
	var out []awsaction.Call
	for len(cmds) > 0 {
		c := cmds[0]
		cmds = append(cmds[1:], c.Inner()...)
		if c.Dynamic && strings.Contains(c.Text, "aws") {
			return nil, fmt.Errorf("a command name is computed at run time (%q), so its AWS calls cannot be checked", c.Text)
		}
		argv := append(append([]string(nil), c.Assigns...), c.Args...)
		if call, ok := awsaction.FromCommandLine(argv); ok {
			out = append(out, call)
		}
	}
	return out, nil
}

// context builds the request context keys of an AI-initiated call.
func (g *Guard) context(c awsaction.Call) map[string][]string {
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	t := now().UTC()
	ctx := map[string][]string{
		"aws:userAgent":       {g.UserAgent},
		"aws:CurrentTime":     {t.Format(time.RFC3339)},
		"aws:EpochTime":       {fmt.Sprint(t.Unix())},
		"aws:SecureTransport": {"true"},
	}
	region := c.Region
	if region == "" {
		region = envValue(g.Environ, "AWS_REGION", "AWS_DEFAULT_REGION")
	}
	if region != "" {
		ctx["aws:RequestedRegion"] = []string{region}
	}
	if g.Identity != nil {
		id := g.Identity()
		if id.ARN != "" {
			if pc, err := iam.PrincipalContext(id.ARN); err == nil {
				for k, v := range pc {
					ctx[k] = v
				}
			}
		}
		if id.UserName != "" {
			ctx["aws:username"] = []string{id.UserName}
		}
		if id.SourceIdentity != "" {
			ctx["aws:SourceIdentity"] = []string{id.SourceIdentity}
		}
		for k, v := range id.Tags {
			ctx["aws:PrincipalTag/"+k] = []string{v}
		}
	}
	for k, v := range g.Extra {
		ctx[k] = v
	}
	return ctx
}

// load reads the policy files, reusing what has not changed on disk.
func (g *Guard) load() (*iam.PolicySet, error) {
	set := &iam.PolicySet{}
	for _, f := range g.PolicyFiles {
		p, err := g.file(f)
		if err != nil {
			return nil, err
		}
		set.Identity = append(set.Identity, p)
	}
	for _, level := range g.SCPFiles {
		var ps []*iam.Policy
		for _, f := range level {
			p, err := g.file(f)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		set.SCPs = append(set.SCPs, ps)
	}
	return set, nil
}

func (g *Guard) file(path string) (*iam.Policy, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("organisation policy file %s cannot be read: %v", path, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.cache[path]; ok && c.mod.Equal(info.ModTime()) && c.size == info.Size() {
		return c.pol, nil
	}
	p, err := iam.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("organisation policy file %v", err)
	}
	if g.cache == nil {
		g.cache = map[string]cachedPolicy{}
	}
	g.cache[path] = cachedPolicy{mod: info.ModTime(), size: info.Size(), pol: p}
	return p, nil
}

// explain names the decision and the statements that made it.
func explain(a awsaction.Access, res iam.Result) string {
	resource := a.Resource
	if resource == "" {
		resource = "(resource unknown)"
	}
	s := fmt.Sprintf("IAM %s of %s on %s", res.Decision, a.Action, resource)
	if res.Reason != "" {
		s += ": " + res.Reason
	}
	for _, m := range res.Matched {
		if res.Decision == iam.ExplicitDeny && m.Effect != iam.EffectDeny {
			continue
		}
		sid := m.Sid
		if sid == "" {
			sid = "(no Sid)"
		}
		s += fmt.Sprintf("; statement %s Sid %s #%d (%s)", m.File, sid, m.Index, m.PolicyType)
	}
	return s
}

func envValue(environ []string, keys ...string) string {
	for _, k := range keys {
		for i := len(environ) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(environ[i], k+"="); ok && v != "" {
				return v
			}
		}
	}
	return ""
}
