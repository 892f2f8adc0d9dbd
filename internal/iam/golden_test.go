package iam

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/evaluate.golden from the current evaluator")

// conditionZoo exercises every operator family, with and without policy
// variables, so that the golden file pins the evaluator's whole surface.
const conditionZoo = `{"Version":"2012-10-17","Statement":[
 {"Sid":"EqVar","Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/${aws:username}/"}}},
 {"Sid":"FoldVar","Effect":"Allow","Action":"s3:Get*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:PrincipalTag/Team":"${aws:PrincipalTag/dept, 'Ops'}"}}},
 {"Sid":"NotEqVar","Effect":"Deny","Action":"s3:Put*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/owner":"${aws:username}"}}},
 {"Sid":"LikeVar","Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"aws:userAgent":["*${aws:username}*","${*}lit${?}"]}}},
 {"Sid":"ArnVar","Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}},
 {"Sid":"ArnMid","Effect":"Deny","Action":"iam:Delete*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::12345678901?:user/*","arn:aws:iam::*:role/Admin*"]}}},
 {"Sid":"BoolVar","Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"${aws:ViaAWSService}"}}},
 {"Sid":"Num","Effect":"Deny","Action":"ec2:Run*","Resource":"*","Condition":{"NumericGreaterThanEquals":{"ec2:Count":["10","2.5"]},"NumericNotEquals":{"n":"-1"}}},
 {"Sid":"Dates","Effect":"Allow","Action":"sts:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:EpochTime":"1700000000"},"DateLessThanEquals":{"aws:CurrentTime":"2030-01"}}},
 {"Sid":"DateNe","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*","Condition":{"DateNotEquals":{"aws:TokenIssueTime":"2026-03-01T12:00:00+01:00"}}},
 {"Sid":"Bin","Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"BinaryEqualsIfExists":{"kms:Blob":"QmluYXJ5VmFsdWU="}}},
 {"Sid":"Ip6","Effect":"Allow","Action":"lambda:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["2001:db8::/32","10.0.0.0/8","::ffff:192.0.2.0/120"]}}},
 {"Sid":"Nulls","Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"Null":{"aws:MultiFactorAuthAge":"true","aws:username":"false"}}},
 {"Sid":"AllVals","Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["team","proj*"]}}},
 {"Sid":"AnyNot","Effect":"Deny","Action":"ec2:DeleteTags","Resource":"*","Condition":{"ForAnyValue:StringNotEqualsIfExists":{"aws:TagKeys":"team"}}},
 {"Sid":"AnyArn","Effect":"Allow","Action":"sns:*","Resource":"arn:aws:sns:*:*:t?pic-*","Condition":{"ForAnyValue:ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}},
 {"Sid":"NotRes","Effect":"Allow","NotAction":["iam:*","organizations:*"],"NotResource":["arn:aws:s3:::secret*","arn:aws:ec2:us-*1:*:instance/*"]},
 {"Sid":"MidSeg","Effect":"Deny","Action":"ec2:*","Resource":"arn:aws:ec2:us-?ast-*:*:instance/i-*"},
 {"Sid":"Short","Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:*"},
 {"Sid":"Unicode","Effect":"Allow","Action":"q:*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"ü:Ключ":"Straße"},"StringLike":{"k":"é?*"}}}
]}`

var goldenActions = []string{
	"s3:GetObject", "S3:GETOBJECT", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:DeleteBucket",
	"ec2:DescribeInstances", "ec2:RunInstances", "ec2:CreateTags", "ec2:DeleteTags", "ec2:TerminateInstances",
	"iam:GetUser", "iam:CreateUser", "iam:DeleteUser", "iam:CreateAccessKey", "sts:AssumeRole", "sts:GetCallerIdentity",
	"kms:Decrypt", "kms:ScheduleKeyDeletion", "lambda:InvokeFunction", "dynamodb:Query", "sns:Publish",
	"logs:PutLogEvents", "q:SendMessage", "secretsmanager:GetSecretValue", "organizations:LeaveOrganization",
	"rds:DescribeDBInstances", "İam:getuser", "s3:getobject\u212a",
}

var goldenResources = []string{
	"", "*", "arn:aws:s3:::team-data", "arn:aws:s3:::team-data/home/bob/x", "arn:aws:s3:::team-data/home/alice/x",
	"arn:aws:s3:::b/bob/k", "arn:aws:s3:::secret-b/k", "arn:aws:s3:::sandbox-bob/t", "arn:aws:s3:::payroll/x",
	"arn:aws:ec2:us-east-1:123456789012:instance/i-1", "arn:aws:ec2:eu-west-1:123456789012:instance/i-1",
	"arn:aws:ec2:us-east:x1:1:instance/i-1", "arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/eve",
	"arn:aws:sns:eu-west-1:1:topic-a", "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:s",
	"arn:aws:dynamodb:eu-west-1:123456789012:table/orders-1", "arn:aws:kms:eu-west-1:123456789012:key/k",
	"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db", "arn:aws:s3:::b/é/ü",
}

// goldenContexts are request contexts with the awkward cases: mixed-case
// and duplicate spellings, multivalued and empty keys, missing keys,
// non-ASCII keys and values.
func goldenContexts() []struct {
	name string
	ctx  map[string][]string
} {
	q, plain := targetContexts()
	odd := map[string][]string{
		"AWS:USERNAME": {"bob"}, "aws:username": {"Bob*"}, "aws:PrincipalTag/TEAM": {"ops"}, "AWS:principaltag/dept": {"OPS"},
		"aws:SecureTransport": {"TRUE"}, "aws:ViaAWSService": {"true"}, "ec2:count": {"2.5"}, "N": {"-1"},
		"aws:EpochTime": {"1700000001"}, "aws:CurrentTime": {"2030-01-01T00:00:00Z"}, "aws:TokenIssueTime": {"1772362800"},
		"kms:blob": {"QmluYXJ5VmFsdWU="}, "aws:SourceIp": {"::ffff:192.0.2.9"}, "aws:TagKeys": {},
		"aws:SourceArn": {"arn:aws:sns:x:y:z", "arn:aws:s3:::b"}, "Ü:ключ": {"STRASSE"}, "K": {"éxyz"},
		"aws:userAgent": {"*lit?"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:user/Bob*"},
	}
	uni := map[string][]string{
		"aws:username": {"bob"}, "ü:Ключ": {"straße"}, "k": {"é"}, "s3:Prefix": {"home/bob/"},
		"aws:ResourceTag/Owner": {"bob"}, "aws:MultiFactorAuthAge": {"10"}, "aws:SourceIp": {"2001:db8::1"},
		"aws:TagKeys": {"team", "project", "x"}, "aws:userAgent": {"bob", "x"}, "aws:EpochTime": {"not a date"},
		"aws:PrincipalArn": {"arn:aws:iam::123456789012:user/bob"}, "aws:SecureTransport": {"false"}, "aws:ViaAWSService": {"FALSE"},
	}
	return []struct {
		name string
		ctx  map[string][]string
	}{{"q", q}, {"plain", plain}, {"odd", odd}, {"uni", uni}, {"none", nil}}
}

// goldenSets are the policy sets the golden file covers.
func goldenSets(t testing.TB) map[string]*PolicySet {
	target, _ := targetSet(t)
	zoo := buildSet(t, setSpec{identity: []string{conditionZoo}})
	mixed := buildSet(t, setSpec{
		identity: []string{seedPolicy, benchDeveloper, conditionZoo},
		scps:     [][]string{{allowAll}, {benchOUSCP, allowEC2}},
		boundary: benchBoundary,
		session:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"kms:*","Resource":"*"}}`,
	})
	return map[string]*PolicySet{"target": target, "zoo": zoo, "mixed": mixed}
}

// TestEvaluateGolden compares Evaluate's full result (decision, matched
// statements, blockedBy and reason) for every request in the cross
// product above with testdata/evaluate.golden, so that a change to the
// evaluator's internals cannot change an answer unnoticed. Regenerate with
// -update-golden only for an intended change of behaviour.
func TestEvaluateGolden(t *testing.T) {
	sets := goldenSets(t)
	var b strings.Builder
	for _, sn := range []string{"target", "zoo", "mixed"} {
		for _, c := range goldenContexts() {
			for _, a := range goldenActions {
				// One line per action: a letter per resource for the
				// decision, then a digest of the full results.
				h := sha256.New()
				letters := make([]byte, 0, len(goldenResources))
				for _, r := range goldenResources {
					res := Evaluate(sets[sn], Request{Action: a, Resource: r, Context: c.ctx})
					js, err := json.Marshal(res)
					if err != nil {
						t.Fatal(err)
					}
					h.Write(js)
					fmt.Fprintf(h, "%s\n", res.Reason)
					letters = append(letters, string(res.Decision)[0])
				}
				fmt.Fprintf(&b, "%s %s %s %s %s\n", sn, c.name, a, letters, hex.EncodeToString(h.Sum(nil)[:8]))
			}
		}
	}
	path := filepath.Join("testdata", "evaluate.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-golden to create it)", err)
	}
	gotLines, wantLines := strings.Split(b.String(), "\n"), strings.Split(string(want), "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("%d results, golden file has %d", len(gotLines), len(wantLines))
	}
	bad := 0
	for i := range gotLines {
		if gotLines[i] != wantLines[i] {
			if bad++; bad <= 10 {
				t.Errorf("got  %s\nwant %s", gotLines[i], wantLines[i])
			}
		}
	}
	if bad > 10 {
		t.Errorf("… and %d more differences", bad-10)
	}
}
