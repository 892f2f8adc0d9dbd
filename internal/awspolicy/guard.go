// Package awspolicy judges AI-initiated AWS calls against the
// organisation's IAM identity policies and SCPs before they run: use_aws
// calls, and `aws …` commands found inside execute_bash command lines.
package awspolicy

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/awsaction"
	"github.com/qdev/qdev/internal/iam"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/shell"
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
// the call makes none (or the guard is nil); otherwise an Allow, a Deny
// naming the decisive statement, or, when a shell command may call AWS in
// a way that cannot be judged (a program name computed at run time, code
// computed at run time, inline code that mentions AWS, an alias or input
// file whose content cannot be checked), an Ask saying why.
func (g *Guard) Check(acc tool.Access) (d permission.Decision, judged bool) {
	if g == nil {
		return permission.Decision{}, false
	}
	calls, unsure, err := g.calls(acc)
	if err != nil {
		return deny("%v", err), true
	}
	if len(calls) == 0 && unsure == "" {
		return permission.Decision{}, false
	}
	if len(calls) > 0 {
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
	}
	if unsure != "" {
		return permission.Decision{Kind: permission.Ask, Layer: permission.LayerIAMPolicy,
			Rule: "the organisation's IAM policies cannot be checked: " + unsure}, true
	}
	return permission.Decision{Kind: permission.Allow, Layer: permission.LayerIAMPolicy, Rule: "allowed by the organisation's IAM policies"}, true
}

func deny(format string, args ...any) permission.Decision {
	return permission.Decision{Kind: permission.Deny, Layer: permission.LayerIAMPolicy, Rule: managed.Blocked("aws " + fmt.Sprintf(format, args...))}
}

// calls finds the AWS CLI calls of a tool call. For a shell command it
// judges every command of the line's analysis (shell.Cached), whatever the
// spelling of aws, also those that wrappers, shells and interpreters run;
// unsure says why the line may make AWS calls that cannot be listed.
func (g *Guard) calls(acc tool.Access) (calls []awsaction.Call, unsure string, err error) {
	if acc.AWSService != "" {
		params, err := awsaction.ParamsFromJSON(acc.AWSParameters)
		if err != nil {
			return nil, "", fmt.Errorf("use_aws parameters: %v", err)
		}
		return []awsaction.Call{{Service: acc.AWSService, Operation: acc.AWSOperation, Params: params,
			Region: acc.AWSRegion, Profile: acc.AWSProfile}}, "", nil
	}
	if acc.Command == "" {
		return nil, "", nil
	}
	a := shell.Cached(acc.Command)
	if a.Err != nil {
		return nil, "", fmt.Errorf("the command cannot be parsed or analysed (%v), so its AWS calls cannot be checked", a.Err)
	}
	s := shellCalls{home: g.home}
	s.collect(a, true)
	return s.calls, s.unsure, nil
}

// shellCalls gathers the AWS calls of analysed command lines.
type shellCalls struct {
	home    func() string
	aliases awsaction.Aliases
	loaded  bool
	calls   []awsaction.Call
	unsure  string
}

func (s *shellCalls) note(format string, args ...any) {
	if s.unsure == "" {
		s.unsure = fmt.Sprintf(format, args...)
	}
}

// awsTools are programs that call AWS APIs of their own accord.
var awsTools = map[string]bool{"terraform": true, "tofu": true, "cdk": true, "sam": true, "pulumi": true,
	"eksctl": true, "copilot": true, "eb": true, "chalice": true, "serverless": true, "sls": true,
	"aws-vault": true, "s3cmd": true, "amplify": true, "rain": true}

// readsConfig are the aws configure operations that only read.
var readsConfig = map[string]bool{"list": true, "get": true, "list-profiles": true}

// mentionsAWS matches code that may call AWS without the aws program.
var mentionsAWS = regexp.MustCompile(`(?i)\baws\b|awscli|boto|aws-sdk`)

// collect adds the calls of a's commands; expand allows one level of
// alias expansion, so an alias cannot expand into itself forever.
func (s *shellCalls) collect(a *shell.Analysis, expand bool) {
	for i := range a.Commands {
		c := &a.Commands[i]
		maybe := c.Via == shell.ViaMaybe
		switch {
		case c.Unknown:
			// Also inside text bash may evaluate later (a[$(…)] in
			// arithmetic): a name computed there could be aws too.
			s.note("the program name in `%s` is computed when it runs, and could be aws", c.Text)
		case c.Effects.Has(shell.UnknownCode) && !maybe:
			s.note("`%s` runs code computed when it runs, which could call AWS", c.Text)
		case c.Code != "" && mentionsAWS.MatchString(c.Code):
			s.note("`%s` runs inline code that mentions AWS", c.Text)
		case awsTools[c.Base()]:
			s.note("`%s` makes AWS calls qdev cannot list", c.Text)
		case c.Effects.Has(shell.HiddenCode) && !maybe:
			s.note("`%s` runs code qdev cannot read, which could call AWS", c.Text)
		case c.Effects.Has(shell.Executes|shell.HiddenCode|shell.FeedsInterpreter) && mentionsAWS.MatchString(c.Canonical()):
			s.note("`%s` runs code that may call AWS", c.Text) // python -m awscli, bash aws.sh, docker run amazon/aws-cli
		}
		if c.Base() != "aws" {
			continue
		}
		if c.DynamicArgs || c.GlobArgs {
			s.note("the arguments of `%s` are computed when it runs", c.Text)
		}
		args := c.Args
		if expand {
			if exp, line, ok := s.loadAliases().Expand(args); ok {
				if line != "" {
					sub := shell.Analyze(line)
					if sub.Err != nil {
						s.note("the AWS CLI alias in `%s` runs a shell command that cannot be analysed", c.Text)
						continue
					}
					s.collect(sub, false)
					continue
				}
				args = exp
			}
		}
		call, ok := awsaction.FromCommandLine(append(append([]string(nil), c.Assigns...), args...))
		if !ok {
			if !awsaction.LocalOnly(args) {
				// Not a service call qdev can read: an alias the line
				// itself defines, say.
				s.note("`%s` is not an AWS CLI call qdev can judge", c.Text)
			}
			continue
		}
		if err := awsaction.InputJSON(&call); err != nil {
			s.note("%v", err)
		}
		if call.Service == "configure" && !readsConfig[call.Operation] {
			// The configuration can name programs later AWS calls run
			// (credential_process) and where they send requests.
			s.note("`%s` changes the AWS CLI configuration", c.Text)
		}
		s.calls = append(s.calls, call)
	}
}

// loadAliases reads the AWS CLI alias file once; an unreadable one makes
// every aws command unsure.
func (s *shellCalls) loadAliases() awsaction.Aliases {
	if !s.loaded {
		s.loaded = true
		al, err := awsaction.LoadAliases(s.home())
		if err != nil {
			s.note("%v", err)
		}
		s.aliases = al
	}
	return s.aliases
}

// home is the directory holding ~/.aws/cli/alias: HOME from the guard's
// environment, else the user's.
func (g *Guard) home() string {
	if h := envValue(g.Environ, "HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
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
