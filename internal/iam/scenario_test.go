package iam

import (
	"fmt"
	"testing"
)

// evalOne evaluates a request against identity policies only.
func evalOne(t testing.TB, action, resource string, ctx kv, docs ...string) Result {
	t.Helper()
	return Evaluate(buildSet(t, setSpec{identity: docs}), Request{Action: action, Resource: resource, Context: ctx})
}

// An underivable resource ("") fails closed.
func TestUnknownResource(t *testing.T) {
	const (
		allowBucket   = `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}`
		allowNotRes   = `{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}`
		denyOther     = `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}}`
		denyNotStar   = `{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":"*"}}`
		denyNotSafe   = `{"Statement":{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::safe/*"}}`
		denyUnresVar  = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*"}}`
		denyOtherCond = `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::other/*","Condition":{"StringEquals":{"k":"v"}}}}`
	)
	for _, tc := range []struct {
		name string
		docs []string
		res  string
		ctx  kv
		want Decision
	}{
		{"allow on star", []string{allowAll}, "", nil, Allow},
		{"allow on specific ARN", []string{allowBucket}, "", nil, ImplicitDeny},
		{"same allow, known resource", []string{allowBucket}, "arn:aws:s3:::b/k", nil, Allow},
		{"allow via NotResource", []string{allowNotRes}, "", nil, ImplicitDeny},
		{"deny on another ARN", []string{allowAll, denyOther}, "", nil, ExplicitDeny},
		{"same deny, known resource", []string{allowAll, denyOther}, "arn:aws:s3:::b/k", nil, Allow},
		{"deny NotResource star", []string{allowAll, denyNotStar}, "", nil, Allow},
		{"deny NotResource some", []string{allowAll, denyNotSafe}, "", nil, ExplicitDeny},
		{"deny with unresolved variable", []string{allowAll, denyUnresVar}, "", nil, Allow},
		{"deny with resolved variable", []string{allowAll, denyUnresVar}, "", kv{"aws:username": {"x"}}, ExplicitDeny},
		{"deny conditions still apply", []string{allowAll, denyOtherCond}, "", kv{"k": {"w"}}, Allow},
		{"deny conditions hold", []string{allowAll, denyOtherCond}, "", kv{"k": {"v"}}, ExplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := evalOne(t, "s3:GetObject", tc.res, tc.ctx, tc.docs...).Decision; got != tc.want {
				t.Errorf("decision %s, want %s", got, tc.want)
			}
		})
	}
	// Ceiling policies follow the Allow rule too.
	set := buildSet(t, setSpec{identity: []string{allowAll}, scps: [][]string{{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::*"}}`}}})
	if res := Evaluate(set, Request{Action: "s3:GetObject"}); res.Decision != ImplicitDeny || res.BlockedBy[0] != TypeSCP {
		t.Errorf("SCP on specific ARNs with unknown resource: %+v", res)
	}
}

func TestResourceVariables(t *testing.T) {
	const home = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`
	const home2008 = `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`
	const escaped = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"}}`
	bob := kv{"aws:username": {"bob"}}
	for _, tc := range []struct {
		name, doc, res string
		ctx            kv
		want           Decision
	}{
		{"own home", home, "arn:aws:s3:::home/bob/x", bob, Allow},
		{"other home", home, "arn:aws:s3:::home/alice/x", bob, ImplicitDeny},
		{"no username", home, "arn:aws:s3:::home/bob/x", nil, ImplicitDeny},
		{"username with star is literal", home, "arn:aws:s3:::home/bob/x", kv{"aws:username": {"*"}}, ImplicitDeny},
		{"username with star literal hit", home, "arn:aws:s3:::home/*/x", kv{"aws:username": {"*"}}, Allow},
		{"2008: variable is literal", home2008, "arn:aws:s3:::home/${aws:username}/x", bob, Allow},
		{"2008: not expanded", home2008, "arn:aws:s3:::home/bob/x", bob, ImplicitDeny},
		{"escape is a literal star", escaped, "arn:aws:s3:::b/*", nil, Allow},
		{"escape is not a wildcard", escaped, "arn:aws:s3:::b/k", nil, ImplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := evalOne(t, "s3:GetObject", tc.res, tc.ctx, tc.doc).Decision; got != tc.want {
				t.Errorf("decision %s, want %s", got, tc.want)
			}
		})
	}
}

// The seed article's policy: reads allowed from Q, writes blocked from Q,
// writes allowed from a plain CLI.
func TestSeedUserAgentPolicy(t *testing.T) {
	q := kv{"aws:UserAgent": {uaPip}}
	plain := kv{"aws:UserAgent": {uaPlain}}
	for _, tc := range []struct {
		action string
		ctx    kv
		want   Decision
		sid    string
	}{
		{"s3:GetObject", q, Allow, "AllowReadOperationsFromQDeveloper"},
		{"s3:GetObjectTagging", q, Allow, "AllowReadOperationsFromQDeveloper"},
		{"ec2:DescribeInstances", kv{"aws:UserAgent": {uaDebian}}, Allow, "AllowReadOperationsFromQDeveloper"},
		{"s3:DeleteObject", q, ExplicitDeny, "BlockWriteOperationsFromQDeveloper"},
		{"s3:DeleteObjectVersion", kv{"aws:UserAgent": {uaIDE}}, ExplicitDeny, "BlockWriteOperationsFromQDeveloper"},
		{"iam:DeleteUser", q, ExplicitDeny, "BlockWriteOperationsFromQDeveloper"},
		{"s3:DeleteObject", plain, Allow, "AllowWriteOperationsFromRegularCLI"},
		{"s3:GetObject", plain, ImplicitDeny, ""},
		{"s3:PutObject", q, ImplicitDeny, ""},
		// With no user agent at all StringNotLike holds (missing key).
		{"s3:DeleteObject", nil, Allow, "AllowWriteOperationsFromRegularCLI"},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.action, tc.ctx != nil), func(t *testing.T) {
			res := evalOne(t, tc.action, "arn:aws:s3:::b/k", tc.ctx, seedPolicy)
			if res.Decision != tc.want {
				t.Fatalf("decision %s, want %s", res.Decision, tc.want)
			}
			if tc.sid != "" && (len(res.Matched) != 1 || res.Matched[0].Sid != tc.sid) {
				t.Errorf("matched %+v, want only %s", res.Matched, tc.sid)
			}
		})
	}
}

// Doc examples: BoolIfExists in a Deny catches unknown callers; the EU-only
// SCP (spec §6.8.27) denies outside eu-central-1.
func TestDocExamples(t *testing.T) {
	const mfa = `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}}`
	for _, tc := range []struct {
		ctx  kv
		want Decision
	}{
		{nil, ExplicitDeny},
		{kv{"aws:MultiFactorAuthPresent": {"false"}}, ExplicitDeny},
		{kv{"aws:MultiFactorAuthPresent": {"true"}}, Allow},
	} {
		if got := evalOne(t, "iam:ListUsers", "*", tc.ctx, allowAll, mfa).Decision; got != tc.want {
			t.Errorf("MFA deny with %v: %s, want %s", tc.ctx, got, tc.want)
		}
	}
	const euOnly = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAmazonQDeveloperOutsideEU","Effect":"Deny",
		"Action":["codewhisperer:GenerateRecommendations","q:SendMessage","q:GenerateCodeFromCommands","sqlworkbench:GetQSqlRecommendations"],
		"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-central-1"]}}}]}`
	set := buildSet(t, setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll, euOnly}}})
	for region, want := range map[string]Decision{"eu-central-1": Allow, "us-east-1": ExplicitDeny} {
		res := Evaluate(set, Request{Action: "q:SendMessage", Resource: "*", Context: kv{"aws:RequestedRegion": {region}}})
		if res.Decision != want {
			t.Errorf("EU SCP in %s: %s, want %s", region, res.Decision, want)
		}
	}
}

func TestPrincipalContext(t *testing.T) {
	for _, tc := range []struct {
		arn, key, want string
	}{
		{"arn:aws:iam::123456789012:user/dev/bob", "aws:username", "bob"},
		{"arn:aws:iam::123456789012:user/dev/bob", "aws:PrincipalAccount", "123456789012"},
		{"arn:aws:sts::123456789012:assumed-role/Dev/session", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/Dev"},
		{"arn:aws:iam::123456789012:role/Dev", "aws:PrincipalType", "AssumedRole"},
	} {
		ctx, err := PrincipalContext(tc.arn)
		if err != nil || len(ctx[tc.key]) != 1 || ctx[tc.key][0] != tc.want {
			t.Errorf("PrincipalContext(%s)[%s] = %v, %v; want %s", tc.arn, tc.key, ctx[tc.key], err, tc.want)
		}
	}
	for _, bad := range []string{"bob", "arn:aws:s3:::bucket", "arn:aws:iam::1:group/g"} {
		if _, err := PrincipalContext(bad); err == nil {
			t.Errorf("PrincipalContext(%q) should fail", bad)
		}
	}
}
