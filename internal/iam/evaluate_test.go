package iam

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	allowAll     = `{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}`
	allowS3      = `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	allowEC2     = `{"Version":"2012-10-17","Statement":[{"Sid":"EC2","Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	denyDelete   = `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	allowS3Get   = `{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	emptyPolicy  = `{"Version":"2012-10-17","Statement":[]}`
	bucketObject = "arn:aws:s3:::b/k"
)

// seedPolicy is the user-agent governance policy from the seed article
// (spec admin-governance.md §7.3), verbatim.
const seedPolicy = `{
"Version": "2012-10-17",
"Statement": [
{
"Sid": "AllowReadOperationsFromQDeveloper",
"Effect": "Allow",
"Action": ["s3:GetObject*", "s3:ListBucket*", "ec2:Describe*"],
"Resource": "*",
"Condition": {"StringLike": {"aws:userAgent": "*exec-env/AmazonQ-For-*"}}
},
{
"Sid": "BlockWriteOperationsFromQDeveloper",
"Effect": "Deny",
"Action": ["s3:DeleteObject*", "ec2:TerminateInstances", "iam:DeleteUser"],
"Resource": "*",
"Condition": {"StringLike": {"aws:userAgent": "*exec-env/AmazonQ-For-*"}}
},
{
"Sid": "AllowWriteOperationsFromRegularCLI",
"Effect": "Allow",
"Action": ["s3:DeleteObject*", "ec2:TerminateInstances", "iam:DeleteUser"],
"Resource": "*",
"Condition": {"StringNotLike": {"aws:userAgent": "*exec-env/AmazonQ-For-*"}}
}
]
}`

type setSpec struct {
	identity []string
	scps     [][]string
	boundary string
	session  string
}

func buildSet(t testing.TB, s setSpec) *PolicySet {
	t.Helper()
	set := &PolicySet{}
	for i, doc := range s.identity {
		set.Identity = append(set.Identity, mustParse(t, fmt.Sprintf("id%d.json", i), doc))
	}
	for li, level := range s.scps {
		ps := []*Policy{}
		for i, doc := range level {
			ps = append(ps, mustParse(t, fmt.Sprintf("scp%d-%d.json", li+1, i), doc))
		}
		set.SCPs = append(set.SCPs, ps)
	}
	if s.boundary != "" {
		set.Boundary = mustParse(t, "boundary.json", s.boundary)
	}
	if s.session != "" {
		set.Session = mustParse(t, "session.json", s.session)
	}
	return set
}

func TestEvaluateDecisionOrder(t *testing.T) {
	for _, tc := range []struct {
		name      string
		set       setSpec
		action    string
		resource  string
		ctx       kv
		want      Decision
		blockedBy []PolicyType
	}{
		{"no policies", setSpec{}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeIdentity}},
		{"identity allow", setSpec{identity: []string{allowS3}}, "s3:GetObject", bucketObject, nil, Allow, nil},
		{"identity allow other service", setSpec{identity: []string{allowEC2}}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeIdentity}},
		{"deny beats allow", setSpec{identity: []string{allowAll, denyDelete}}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeIdentity}},
		{"deny without allow is explicit", setSpec{identity: []string{denyDelete}}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeIdentity}},
		// SCPs: every level must allow; policies within a level are unioned.
		{"scp levels all allow", setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll}, {allowS3}}}, "s3:GetObject", bucketObject, nil, Allow, nil},
		{"scp level lacks allow", setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll}, {allowEC2}}}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeSCP}},
		{"scp root lacks allow", setSpec{identity: []string{allowAll}, scps: [][]string{{allowEC2}, {allowAll}}}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeSCP}},
		{"scp level union", setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll}, {allowEC2, allowS3}}}, "s3:GetObject", bucketObject, nil, Allow, nil},
		{"scp empty level", setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll}, {}}}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeSCP}},
		{"scp empty policy", setSpec{identity: []string{allowAll}, scps: [][]string{{emptyPolicy}}}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeSCP}},
		{"scp grants nothing", setSpec{scps: [][]string{{allowAll}}}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeIdentity}},
		{"scp deny", setSpec{identity: []string{allowAll}, scps: [][]string{{allowAll, denyDelete}}}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeSCP}},
		{"deny in scp and identity", setSpec{identity: []string{allowAll, denyDelete}, scps: [][]string{{allowAll}, {allowAll, denyDelete}}}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeSCP, TypeIdentity}},
		{"deny beats missing scp allow", setSpec{identity: []string{denyDelete}, scps: [][]string{{allowEC2}}}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeIdentity}},
		// Boundary and session policy intersect with the identity policy.
		{"boundary allows", setSpec{identity: []string{allowS3}, boundary: allowS3Get}, "s3:GetObject", bucketObject, nil, Allow, nil},
		{"boundary caps", setSpec{identity: []string{allowS3}, boundary: allowS3Get}, "s3:PutObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeBoundary}},
		{"boundary grants nothing", setSpec{identity: []string{allowEC2}, boundary: allowAll}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeIdentity}},
		{"boundary deny", setSpec{identity: []string{allowAll}, boundary: denyDelete}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeBoundary}},
		{"session allows", setSpec{identity: []string{allowS3}, session: allowS3Get}, "s3:GetObject", bucketObject, nil, Allow, nil},
		{"session caps", setSpec{identity: []string{allowS3}, session: allowS3Get}, "s3:PutObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeSession}},
		{"session deny", setSpec{identity: []string{allowAll}, session: denyDelete}, "s3:DeleteObject", bucketObject, nil, ExplicitDeny, []PolicyType{TypeSession}},
		{"all ceilings lack", setSpec{identity: []string{allowEC2}, scps: [][]string{{allowEC2}}, boundary: allowEC2, session: allowEC2}, "s3:GetObject", bucketObject, nil, ImplicitDeny, []PolicyType{TypeSCP, TypeIdentity, TypeBoundary, TypeSession}},
		{"all four allow", setSpec{identity: []string{allowS3}, scps: [][]string{{allowAll}, {allowS3}}, boundary: allowS3Get, session: allowAll}, "s3:GetObject", bucketObject, nil, Allow, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Evaluate(buildSet(t, tc.set), Request{Action: tc.action, Resource: tc.resource, Context: tc.ctx})
			if res.Decision != tc.want {
				t.Fatalf("decision %s, want %s (%s)", res.Decision, tc.want, res.Reason)
			}
			want := tc.blockedBy
			if want == nil {
				want = []PolicyType{}
			}
			if !slices.Equal(res.BlockedBy, want) {
				t.Errorf("blockedBy %v, want %v", res.BlockedBy, want)
			}
			if (res.Decision == Allow) != (res.Reason == "") {
				t.Errorf("reason %q for %s", res.Reason, res.Decision)
			}
		})
	}
}

func TestEvaluateMatchesAndReason(t *testing.T) {
	set := buildSet(t, setSpec{identity: []string{allowAll, denyDelete}, scps: [][]string{{allowAll}, {allowEC2}}})
	res := Evaluate(set, Request{Action: "s3:DeleteObject", Resource: bucketObject})
	want := []Match{
		{File: "scp1-0.json", Sid: "FullAWSAccess", Index: 0, Effect: EffectAllow, PolicyType: TypeSCP, Level: 1},
		{File: "id0.json", Sid: "FullAWSAccess", Index: 0, Effect: EffectAllow, PolicyType: TypeIdentity},
		{File: "id1.json", Sid: "NoDelete", Index: 0, Effect: EffectDeny, PolicyType: TypeIdentity},
	}
	if !slices.Equal(res.Matched, want) {
		t.Errorf("matched %+v\nwant %+v", res.Matched, want)
	}
	if res.Reason != "explicit deny in an identity-based policy" {
		t.Errorf("reason %q", res.Reason)
	}
	res = Evaluate(set, Request{Action: "s3:GetObject", Resource: bucketObject})
	if res.Decision != ImplicitDeny || !strings.Contains(res.Reason, "no service control policy at level 2 allows s3:GetObject") {
		t.Errorf("%s: reason %q", res.Decision, res.Reason)
	}
}

func TestEvaluateMatching(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   string
		action   string
		resource string
		want     Decision
	}{
		// Actions fold case; resources do not.
		{"action case", `{"Statement":{"Effect":"Allow","Action":"IAM:listaccesskeys","Resource":"*"}}`, "iam:ListAccessKeys", "*", Allow},
		{"request action case", `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, "S3:GETOBJECT", bucketObject, Allow},
		{"action wildcard ?", `{"Statement":{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}}`, "s3:GetObject", bucketObject, Allow},
		{"action prefix must match", `{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`, "s3:PutObject", bucketObject, ImplicitDeny},
		{"resource case", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::1:user/Bob"}}`, "iam:GetUser", "arn:aws:iam::1:user/bob", ImplicitDeny},
		{"resource exact", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::1:user/Bob"}}`, "iam:GetUser", "arn:aws:iam::1:user/Bob", Allow},
		// Malformed action strings are literals that match nothing.
		{"comma action does not deny", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject,s3:PutObject","Resource":"*"}]}`, "s3:GetObject", bucketObject, Allow},
		{"space action does not deny", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3: GetObject","Resource":"*"}]}`, "s3:GetObject", bucketObject, Allow},
		{"empty action name", `{"Statement":{"Effect":"Allow","Action":"s3:","Resource":"*"}}`, "s3:GetObject", bucketObject, ImplicitDeny},
		// NotAction.
		{"NotAction allows others", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "s3:GetObject", bucketObject, Allow},
		{"NotAction excludes listed", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "iam:CreateUser", "*", ImplicitDeny},
		{"Deny NotAction", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["s3:*","sts:*"],"Resource":"*"}]}`, "ec2:RunInstances", "*", ExplicitDeny},
		{"Deny NotAction spares listed", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["s3:*","sts:*"],"Resource":"*"}]}`, "sts:GetCallerIdentity", "*", Allow},
		{"Deny NotAction grants nothing", `{"Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}}`, "iam:GetUser", "*", ImplicitDeny},
		// The doc's example: NotAction + a specific Resource does not
		// reach wildcard-only actions, which need "*".
		{"NotAction specific resource", `{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}}`, "s3:ListAllMyBuckets", "*", ImplicitDeny},
		{"NotAction specific resource hit", `{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}}`, "s3:GetObject", bucketObject, Allow},
		// NotResource.
		{"Deny NotResource elsewhere", hrPolicy, "s3:GetObject", "arn:aws:s3:::Other/x", ExplicitDeny},
		{"Deny NotResource spared", hrPolicy, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/x", Allow},
		{"Allow NotResource", `{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}`, "s3:GetObject", "arn:aws:s3:::secret/k", ImplicitDeny},
		{"Allow NotResource other", `{"Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}`, "s3:GetObject", "arn:aws:s3:::public/k", Allow},
		// Explicit resources are literal: "*" is not an ARN.
		{"literal star vs ARN pattern", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"}}`, "s3:ListAllMyBuckets", "*", ImplicitDeny},
		{"segment-final star crosses", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:*"}}`, "s3:GetObject", bucketObject, Allow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, "p.json", tc.policy)
			res := Evaluate(&PolicySet{Identity: []*Policy{p}}, Request{Action: tc.action, Resource: tc.resource})
			if res.Decision != tc.want {
				t.Errorf("%s on %s = %s, want %s", tc.action, tc.resource, res.Decision, tc.want)
			}
		})
	}
}

const hrPolicy = `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
	{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}]}`
