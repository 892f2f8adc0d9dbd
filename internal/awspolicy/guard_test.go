package awspolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

const identityPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadS3", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
    {"Sid": "WriteScratch", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::scratch/*"},
    {"Sid": "OneInstance", "Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-1"},
    {"Sid": "NoAIWritesToProd", "Effect": "Deny", "Action": "s3:Put*", "Resource": "arn:aws:s3:::prod/*",
     "Condition": {"StringLike": {"aws:userAgent": "*exec-env/AmazonQ-For-*"}}}
  ]
}`

const rootSCP = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "DenyOutsideEU", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}
  ]
}`

func guard(t *testing.T) (*Guard, string) {
	t.Helper()
	dir := t.TempDir()
	id := filepath.Join(dir, "identity.json")
	scp := filepath.Join(dir, "root-scp.json")
	for p, body := range map[string]string{id: identityPolicy, scp: rootSCP} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return &Guard{PolicyFiles: []string{id}, SCPFiles: [][]string{{scp}}, UserAgent: UserAgent("0.1.0")}, id
}

func useAWS(service, op, region string, params map[string]any) tool.Access {
	raw := map[string]json.RawMessage{}
	for k, v := range params {
		b, _ := json.Marshal(v)
		raw[k] = b
	}
	return tool.Access{AWSService: service, AWSOperation: op, AWSRegion: region, AWSParameters: raw}
}

func TestGuardDecisions(t *testing.T) {
	g, _ := guard(t)
	cases := []struct {
		name string
		acc  tool.Access
		want permission.Kind
		has  string
	}{
		{"read allowed", useAWS("s3api", "get-object", "us-east-1", map[string]any{"bucket": "prod", "key": "a", "outfile": "x"}), permission.Allow, ""},
		{"write outside scratch is implicitly denied", useAWS("s3api", "put-object", "us-east-1", map[string]any{"bucket": "other", "key": "k"}), permission.Deny, "ImplicitDeny of s3:PutObject on arn:aws:s3:::other/k"},
		{"AI write to prod explicitly denied", useAWS("s3api", "put-object", "us-east-1", map[string]any{"bucket": "prod", "key": "k"}), permission.Deny, "Sid NoAIWritesToProd #3"},
		{"scratch write allowed", useAWS("s3api", "put-object", "us-east-1", map[string]any{"bucket": "scratch", "key": "k"}), permission.Allow, ""},
		{"region outside the SCP", useAWS("s3api", "list-buckets", "ap-south-1", nil), permission.Deny, "DenyOutsideEU"},
		{"unknown resource needs Allow on *", useAWS("ec2", "stop-instances", "us-east-1", map[string]any{"instance-ids": []string{"i-1"}}), permission.Deny, "ImplicitDeny"},
		{"aws inside a shell command", tool.Access{Command: "ls && AWS_REGION=us-east-1 aws s3 rm s3://prod/k"}, permission.Deny, "s3:DeleteObject"},
		{"aws behind sudo", tool.Access{Command: "sudo aws s3 cp f s3://prod/k --region us-east-1"}, permission.Deny, "NoAIWritesToProd"},
		{"aws read in a pipeline", tool.Access{Command: "aws s3 ls s3://prod --region eu-west-1 | head"}, permission.Allow, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, judged := g.Check(tc.acc)
			if !judged || d.Kind != tc.want || !strings.Contains(d.Rule, tc.has) {
				t.Fatalf("got judged=%v %v %q; want %v containing %q", judged, d.Kind, d.Rule, tc.want, tc.has)
			}
			if d.Kind == permission.Deny && !strings.HasPrefix(d.Rule, "blocked by organisation policy") {
				t.Fatalf("rule %q does not say the organisation blocked it", d.Rule)
			}
		})
	}
	for _, acc := range []tool.Access{{Command: "echo hello"}, {ReadPaths: []string{"/x"}}} {
		if _, judged := g.Check(acc); judged {
			t.Fatalf("%+v judged although it makes no AWS call", acc)
		}
	}
}

func TestGuardFailsClosed(t *testing.T) {
	g, idFile := guard(t)
	if err := os.Remove(idFile); err != nil {
		t.Fatal(err)
	}
	d, judged := g.Check(useAWS("s3api", "list-buckets", "us-east-1", nil))
	if !judged || d.Kind != permission.Deny || !strings.Contains(d.Rule, "cannot be read") {
		t.Fatalf("vanished policy: %v %q", d.Kind, d.Rule)
	}
	if err := os.WriteFile(idFile, []byte(`{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringSortOf": {"a": "b"}}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ = g.Check(useAWS("s3api", "list-buckets", "us-east-1", nil))
	if d.Kind != permission.Deny || !strings.Contains(d.Rule, "StringSortOf") {
		t.Fatalf("bad operator: %v %q", d.Kind, d.Rule)
	}
	d, _ = g.Check(tool.Access{Command: "aws s3 ls 'unterminated"})
	if d.Kind != permission.Deny || !strings.Contains(d.Rule, "cannot be parsed") {
		t.Fatalf("unparseable: %v %q", d.Kind, d.Rule)
	}
	if New(nil, "", nil) != nil {
		t.Fatal("no managed layer must mean no guard")
	}
}

func TestIdentityFromARN(t *testing.T) {
	if id := identityFromARN("arn:aws:iam::123456789012:user/dev/alice"); id.UserName != "alice" {
		t.Fatalf("%+v", id)
	}
	if id := identityFromARN("arn:aws:sts::123456789012:assumed-role/r/s"); id.UserName != "" {
		t.Fatalf("%+v", id)
	}
}

func TestGuardExtraContextKeys(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "team.json")
	body := `{"Version":"2012-10-17","Statement":[{"Sid":"PlatformOnly","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"platform"}}}]}`
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	g := &Guard{PolicyFiles: []string{p}, UserAgent: UserAgent("1")}
	acc := useAWS("s3api", "list-buckets", "us-east-1", nil)
	if d, _ := g.Check(acc); d.Kind != permission.Deny {
		t.Fatalf("without the tag: %v", d.Kind)
	}
	g.Extra = map[string][]string{"aws:PrincipalTag/team": {"platform"}}
	if d, _ := g.Check(acc); d.Kind != permission.Allow {
		t.Fatalf("with the tag: %v %q", d.Kind, d.Rule)
	}
}
