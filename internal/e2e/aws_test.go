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
