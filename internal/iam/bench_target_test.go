package iam

import (
	"slices"
	"testing"
)

// target30 is a developer's 30-statement identity policy: per-user S3
// homes through ${aws:username}, service read access, region, network,
// time and transport guard rails, NotAction / NotResource denies and a
// ForAnyValue tag-key rule. It backs the benchmark target "policy
// decisions per second for a 30-statement identity policy plus two SCP
// levels with conditions".
const target30 = `{"Version":"2012-10-17","Statement":[
 {"Sid":"ListOwnHome","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::team-data",
  "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*","shared/*"]}}},
 {"Sid":"OwnObjects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
  "Resource":"arn:aws:s3:::team-data/home/${aws:username}/*"},
 {"Sid":"SharedRead","Effect":"Allow","Action":["s3:GetObject*","s3:ListBucket*"],"Resource":["arn:aws:s3:::team-data/shared/*","arn:aws:s3:::team-data"]},
 {"Sid":"ReadEC2","Effect":"Allow","Action":["ec2:Describe*","ec2:Get*"],"Resource":"*",
  "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}},
 {"Sid":"OwnInstances","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances","ec2:RebootInstances"],
  "Resource":"arn:aws:ec2:eu-*:123456789012:instance/*","Condition":{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}},
 {"Sid":"Dynamo","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem","dynamodb:UpdateItem"],
  "Resource":"arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
 {"Sid":"Lambda","Effect":"Allow","Action":["lambda:InvokeFunction","lambda:Get*","lambda:List*"],
  "Resource":"arn:aws:lambda:eu-west-1:123456789012:function:orders-*"},
 {"Sid":"Logs","Effect":"Allow","Action":["logs:Get*","logs:Describe*","logs:FilterLogEvents","logs:StartQuery"],"Resource":"*"},
 {"Sid":"Metrics","Effect":"Allow","Action":["cloudwatch:GetMetric*","cloudwatch:ListMetrics","cloudwatch:Describe*"],"Resource":"*"},
 {"Sid":"Queues","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueue*"],
  "Resource":"arn:aws:sqs:eu-west-1:123456789012:orders-*"},
 {"Sid":"Alerts","Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:eu-west-1:123456789012:orders-alerts"},
 {"Sid":"KeysViaServices","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:eu-west-1:123456789012:key/*",
  "Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":["s3.amazonaws.com","dynamodb.amazonaws.com"]}}},
 {"Sid":"Secrets","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/*",
  "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}},
 {"Sid":"Params","Effect":"Allow","Action":["ssm:GetParameter","ssm:GetParameters","ssm:GetParametersByPath"],
  "Resource":"arn:aws:ssm:eu-west-1:123456789012:parameter/orders/*"},
 {"Sid":"IAMRead","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},
 {"Sid":"OwnCredentials","Effect":"Allow","Action":["iam:ChangePassword","iam:CreateAccessKey","iam:DeleteAccessKey","iam:UpdateAccessKey"],
  "Resource":"arn:aws:iam::123456789012:user/${aws:username}","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}},
 {"Sid":"WhoAmI","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"},
 {"Sid":"Git","Effect":"Allow","Action":["codecommit:Git*","codecommit:Get*","codecommit:List*"],"Resource":"arn:aws:codecommit:eu-west-1:123456789012:orders-*"},
 {"Sid":"Athena","Effect":"Allow","Action":["athena:StartQueryExecution","athena:GetQuery*","athena:ListWorkGroups"],
  "Resource":["arn:aws:athena:eu-west-1:123456789012:workgroup/primary","*"]},
 {"Sid":"QDeveloper","Effect":"Allow","Action":["q:*","codewhisperer:*"],"Resource":"*",
  "Condition":{"StringLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}},
 {"Sid":"StackRead","Effect":"Allow","Action":["cloudformation:Describe*","cloudformation:List*","cloudformation:Get*"],"Resource":"*"},
 {"Sid":"Sandbox","Effect":"Allow","NotAction":["s3:DeleteBucket","s3:PutBucketPolicy"],"Resource":["arn:aws:s3:::sandbox-${aws:username}","arn:aws:s3:::sandbox-${aws:username}/*"]},
 {"Sid":"NoIAMWrites","Effect":"Deny","NotAction":["iam:Get*","iam:List*","iam:ChangePassword","iam:*AccessKey"],"Resource":"arn:aws:iam::*:*"},
 {"Sid":"OfficeOnly","Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},"Bool":{"aws:ViaAWSService":"false"}}},
 {"Sid":"Expiry","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}},
 {"Sid":"OnlyTeamBuckets","Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::team-data","arn:aws:s3:::team-data/*","arn:aws:s3:::sandbox-*"]},
 {"Sid":"NoAIDeletes","Effect":"Deny","Action":["s3:DeleteObject*","ec2:TerminateInstances","dynamodb:DeleteTable"],"Resource":"*",
  "Condition":{"StringLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}},
 {"Sid":"TLSOnly","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"ReservedTags","Effect":"Deny","Action":["ec2:CreateTags","ec2:DeleteTags"],"Resource":"*",
  "Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["aws:*","cost-center"]}}},
 {"Sid":"KeepKeys","Effect":"Deny","Action":["kms:ScheduleKeyDeletion","kms:DisableKey","kms:Delete*"],"Resource":"*"}
]}`

// targetRootSCP is the organisation root: full access with guard rails.
const targetRootSCP = `{"Version":"2012-10-17","Statement":[
 {"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"},
 {"Sid":"NoLeavingOrg","Effect":"Deny","Action":["organizations:LeaveOrganization","account:CloseAccount"],"Resource":"*"},
 {"Sid":"KeepTrails","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail"],"Resource":"*"},
 {"Sid":"NoRootUser","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}
]}`

// targetOUSCP is the workloads OU: a service allow-list, an EU region
// fence and a block on destructive calls made through Amazon Q.
const targetOUSCP = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowListedServices","Effect":"Allow","Action":["s3:*","ec2:*","dynamodb:*","lambda:*","logs:*","cloudwatch:*","sqs:*","sns:*",
  "kms:*","secretsmanager:*","ssm:*","iam:*","sts:*","codecommit:*","athena:*","q:*","codewhisperer:*","cloudformation:*"],"Resource":"*"},
 {"Sid":"DenyOutsideEU","Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*","support:*","cloudfront:*"],"Resource":"*",
  "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}},
 {"Sid":"BlockAIWrites","Effect":"Deny","Action":["s3:DeleteBucket","ec2:TerminateInstances","dynamodb:DeleteTable","rds:DeleteDBInstance"],
  "Resource":"*","Condition":{"StringLike":{"aws:UserAgent":"*exec-env/AmazonQ-For-*"}}},
 {"Sid":"OfficeHours","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}
]}`

// targetCase is one benchmark request and the decision it must get.
type targetCase struct {
	req  Request
	want Decision
}

// targetSet parses the target policy set and returns it with a mix of
// allowed, implicitly denied and explicitly denied requests. The contexts
// use the mixed-case key spellings callers really send.
func targetSet(t testing.TB) (*PolicySet, []targetCase) {
	set := buildSet(t, setSpec{identity: []string{target30}, scps: [][]string{{targetRootSCP}, {targetOUSCP}}})
	if n := len(set.Identity[0].Statements); n != 30 {
		t.Fatalf("the target identity policy has %d statements, want 30", n)
	}
	q, plain := targetContexts()
	const acct = "123456789012"
	cases := []targetCase{
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::team-data/home/bob/notes.txt", Context: q}, Allow},
		{Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::team-data", Context: q}, Allow},
		{Request{Action: "ec2:DescribeInstances", Resource: "*", Context: q}, Allow},
		{Request{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:eu-west-1:" + acct + ":table/orders-2026", Context: q}, Allow},
		{Request{Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:eu-west-1:" + acct + ":function:orders-api", Context: q}, Allow},
		{Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::" + acct + ":user/bob", Context: q}, Allow},
		{Request{Action: "q:SendMessage", Resource: "*", Context: q}, Allow},
		{Request{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:eu-west-1:" + acct + ":secret:orders/db-AbCdEf", Context: q}, Allow},
		{Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::sandbox-bob/tmp/x", Context: q}, Allow},
		{Request{Action: "kms:Decrypt", Resource: "arn:aws:kms:eu-west-1:" + acct + ":key/1234abcd", Context: q}, Allow},
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::team-data/home/alice/notes.txt", Context: q}, ImplicitDeny},
		{Request{Action: "rds:DescribeDBInstances", Resource: "*", Context: q}, ImplicitDeny},
		{Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:" + acct + ":billing-events", Context: q}, ImplicitDeny},
		{Request{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:eu-west-1:" + acct + ":log-group:orders:log-stream:a", Context: q}, ImplicitDeny},
		// An underivable resource fails closed: the resource Denies apply.
		{Request{Action: "s3:PutObject", Resource: "", Context: q}, ExplicitDeny},
		{Request{Action: "q:SendMessage", Resource: "*", Context: plain}, ExplicitDeny},
		{Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::team-data/home/bob/old.txt", Context: q}, ExplicitDeny},
		{Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::" + acct + ":user/eve", Context: q}, ExplicitDeny},
		{Request{Action: "kms:ScheduleKeyDeletion", Resource: "arn:aws:kms:eu-west-1:" + acct + ":key/1234abcd", Context: q}, ExplicitDeny},
		{Request{Action: "organizations:LeaveOrganization", Resource: "*", Context: q}, ExplicitDeny},
		{Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::payroll/2026.csv", Context: q}, ExplicitDeny},
	}
	return set, cases
}

// targetContexts returns the request contexts of the target benchmark: a
// call from Amazon Q in eu-west-1, and a plain CLI call in us-east-1 that
// carries a reserved tag key.
func targetContexts() (q, plain map[string][]string) {
	q = map[string][]string{
		"aws:username": {"bob"}, "aws:userAgent": {uaPip}, "aws:CurrentTime": {"2026-03-01T12:00:00Z"},
		"aws:EpochTime": {"1772366400"}, "aws:SecureTransport": {"true"}, "aws:RequestedRegion": {"eu-west-1"},
		"aws:SourceIp": {"203.0.113.7"}, "aws:ViaAWSService": {"false"}, "aws:MultiFactorAuthAge": {"900"},
		"aws:PrincipalArn": {"arn:aws:iam::123456789012:user/dev/bob"}, "aws:PrincipalAccount": {"123456789012"},
		"aws:PrincipalType": {"User"}, "aws:CalledVia": {"athena.amazonaws.com", "s3.amazonaws.com"},
		"aws:TagKeys": {"team", "project"}, "aws:ResourceTag/owner": {"bob"}, "s3:prefix": {"home/bob/notes/"},
	}
	plain = map[string][]string{}
	for k, v := range q {
		plain[k] = v
	}
	plain["aws:userAgent"] = []string{uaPlain}
	plain["aws:TagKeys"] = []string{"team", "cost-center"}
	plain["aws:RequestedRegion"] = []string{"us-east-1"}
	return q, plain
}

// The benchmark's requests get the decisions they are meant to, so a
// broken policy set cannot make the benchmark fast by denying everything.
func TestTargetSetDecisions(t *testing.T) {
	set, cases := targetSet(t)
	kinds := map[Decision]int{}
	for _, tc := range cases {
		res := Evaluate(set, tc.req)
		if res.Decision != tc.want {
			t.Errorf("%s on %q: %s, want %s (%s; matched %+v)", tc.req.Action, tc.req.Resource, res.Decision, tc.want, res.Reason, res.Matched)
		}
		kinds[res.Decision]++
	}
	for _, d := range []Decision{Allow, ImplicitDeny, ExplicitDeny} {
		if kinds[d] < 4 {
			t.Errorf("only %d %s requests in the mix", kinds[d], d)
		}
	}
	res := Evaluate(set, cases[17].req) // iam:CreateUser
	want := []string{"FullAWSAccess", "AllowListedServices", "NoIAMWrites"}
	var got []string
	for _, m := range res.Matched {
		got = append(got, m.Sid)
	}
	if !slices.Equal(got, want) {
		t.Errorf("iam:CreateUser matched %v, want %v", got, want)
	}
}

// A decision allocates its Result and nothing else: one allocation for
// Matched and BlockedBy together, plus the Reason of an ImplicitDeny, which
// names the action. (The context index, variables and patterns all stay on
// the stack.)
func TestEvaluateAllocations(t *testing.T) {
	set, cases := targetSet(t)
	for _, tc := range cases {
		want := 1.0
		if tc.want == ImplicitDeny {
			want = 2
		}
		if got := testing.AllocsPerRun(50, func() { Evaluate(set, tc.req) }); got > want {
			t.Errorf("%s on %q (%s): %.0f allocations, want at most %.0f", tc.req.Action, tc.req.Resource, tc.want, got, want)
		}
	}
}

// BenchmarkEvaluateTarget measures the stated target: decisions per second
// for a 30-statement identity policy plus two SCP levels with conditions
// (≥ 500,000/s on one core). Run it with -cpu 1.
func BenchmarkEvaluateTarget(b *testing.B) {
	set, cases := targetSet(b)
	for _, tc := range cases {
		if got := Evaluate(set, tc.req).Decision; got != tc.want {
			b.Fatalf("%s on %q: %s, want %s", tc.req.Action, tc.req.Resource, got, tc.want)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Evaluate(set, cases[i%len(cases)].req)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
