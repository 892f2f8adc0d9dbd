package e2e

import (
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/awstest"
)

// TestAIMarkerReachesAWS proves the AI marker end to end: the real aws CLI,
// started by use_aws and by execute_bash inside q, calls moto_server, and
// every request that arrives carries exec-env/AmazonQ-For-CLI in its user
// agent, so IAM policies on aws:userAgent apply to AI-made calls.
func TestAIMarkerReachesAWS(t *testing.T) {
	m := awstest.StartMoto(t)
	e := newEnv(t)
	for _, kv := range m.Environ(nil) {
		k, v, _ := strings.Cut(kv, "=")
		e.vars[k] = v
	}
	s := e.openai(
		toolTurn(tc("c1", "use_aws", `{"service_name":"s3api","operation_name":"create-bucket",
			"parameters":{"Bucket":"qdev-marker"},"region":"us-east-1","label":"Create a bucket"}`)),
		toolTurn(tc("c2", "execute_bash", `{"command":"aws s3api list-buckets --query 'Buckets[].Name' --output text"}`)),
		text("bucket made"),
	)
	r := e.run("", "--model", "openai/m", "--no-interactive", "--trust-all-tools", "make a bucket")
	if r.code != 0 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if got, _ := lastToolResult(t, s, 2); !strings.Contains(got, "qdev-marker") {
		t.Fatalf("list-buckets through execute_bash: %q", got)
	}
	agents := m.UserAgents()
	if len(agents) < 2 {
		t.Fatalf("moto saw %d requests", len(agents))
	}
	for _, ua := range agents {
		if !strings.Contains(ua, "exec-env/AmazonQ-For-CLI") {
			t.Fatalf("user agent without the AI marker: %q", ua)
		}
	}
}

// TestOrganisationPolicyGuardsAICalls: with the organisation's IAM policy
// in managed settings, an AI-initiated write is refused before it runs
// (naming the statement) while a read goes through to AWS.
func TestOrganisationPolicyGuardsAICalls(t *testing.T) {
	m := awstest.StartMoto(t)
	e := newEnv(t)
	for _, kv := range m.Environ(nil) {
		k, v, _ := strings.Cut(kv, "=")
		e.vars[k] = v
	}
	policy := e.write("../policy.json", `{"Version":"2012-10-17","Statement":[
		{"Sid":"ReadAll","Effect":"Allow","Action":["s3:List*","s3:Get*"],"Resource":"*"},
		{"Sid":"NoAIWrites","Effect":"Deny","Action":["s3:Create*","s3:Put*","s3:Delete*"],"Resource":"*",
		 "Condition":{"StringLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}}]}`)
	managedFile := e.write("../managed.json", `{"aws":{"policyFiles":["`+policy+`"]}}`)
	e.vars["Q_MANAGED_SETTINGS"] = managedFile
	s := e.openai(
		toolTurn(tc("c1", "use_aws", `{"service_name":"s3api","operation_name":"create-bucket",
			"parameters":{"bucket":"prod-data"},"region":"us-east-1","label":"create"}`)),
		toolTurn(tc("c2", "execute_bash", `{"command":"aws s3 rb s3://anything"}`)),
		toolTurn(tc("c3", "use_aws", `{"service_name":"s3api","operation_name":"list-buckets","region":"us-east-1","label":"list"}`)),
		text("done"),
	)
	r := e.run("", "--model", "openai/m", "--trust-all-tools", "--no-interactive", "go")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	for i, want := range []string{"Sid NoAIWrites", "s3:DeleteBucket"} {
		if got, _ := lastToolResult(t, s, i+1); !strings.Contains(got, "blocked by organisation policy") || !strings.Contains(got, want) {
			t.Fatalf("call %d: %q", i+1, got)
		}
	}
	got, _ := lastToolResult(t, s, 3)
	if !strings.Contains(got, `"exit_status":"0"`) || !strings.Contains(got, "Buckets") {
		t.Fatalf("allowed read did not run: %q", got)
	}
	if strings.Contains(got, "prod-data") {
		t.Fatal("the denied create-bucket reached AWS")
	}
}

// TestAttributionRole: with aws.attributionRoleArn, AI-initiated AWS calls
// run with the role's credentials, assumed with the user's source identity
// and session tags.
func TestAttributionRole(t *testing.T) {
	m := awstest.StartMoto(t)
	e := newEnv(t)
	for _, kv := range m.Environ(nil) {
		k, v, _ := strings.Cut(kv, "=")
		e.vars[k] = v
	}
	e.vars["USER"] = "alice"
	e.vars["Q_MANAGED_SETTINGS"] = e.write("../managed.json", `{"aws":{"attributionRoleArn":"arn:aws:iam::123456789012:role/qdev-ai"}}`)
	e.openai(
		toolTurn(tc("c1", "use_aws", `{"service_name":"s3api","operation_name":"list-buckets","region":"us-east-1","label":"list"}`)),
		toolTurn(tc("c2", "execute_bash", `{"command":"aws s3api list-buckets"}`)),
		text("done"),
	)
	if r := e.run("", "--model", "openai/m", "--trust-all-tools", "--no-interactive", "list"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var assumed, s3Keys []string
	for _, req := range m.Requests() {
		if req.Form.Get("Action") == "AssumeRole" {
			if req.Form.Get("SourceIdentity") != "alice" || req.Form.Get("RoleArn") != "arn:aws:iam::123456789012:role/qdev-ai" {
				t.Fatalf("AssumeRole form %v", req.Form)
			}
			assumed = append(assumed, req.Form.Encode())
		}
		if req.Service == "s3" {
			s3Keys = append(s3Keys, req.AccessKeyID)
		}
	}
	if len(assumed) != 1 || !strings.Contains(assumed[0], "qdev-ai") || !strings.Contains(assumed[0], "qdev-user") {
		t.Fatalf("AssumeRole requests: %v", assumed)
	}
	if len(s3Keys) != 2 {
		t.Fatalf("S3 requests: %v", s3Keys)
	}
	for _, k := range s3Keys {
		if !strings.HasPrefix(k, "ASIA") {
			t.Fatalf("S3 call used %q, not the role's credentials", k)
		}
	}
}
