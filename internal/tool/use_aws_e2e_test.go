package tool

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/awstest"
)

// TestUseAWSAgainstMoto drives the real AWS CLI against moto_server and
// checks that the calls carry the AI marker in their user agent, both
// through use_aws and through a command run by execute_bash.
func TestUseAWSAgainstMoto(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws not on PATH")
	}
	moto := awstest.StartMoto(t)
	env := testEnv(t)
	env.Environ = ChildEnv(moto.Environ(os.Environ()), "9.9.9")

	r := runTool(t, UseAWS{}, env, `{"service_name":"s3api","operation_name":"create-bucket","region":"us-east-1",
		"label":"make a bucket","parameters":{"Bucket":"qdev-e2e"}}`)
	if r.IsError || r.ExitStatus != 0 {
		t.Fatalf("create-bucket: %s", resultText(r))
	}
	r = runTool(t, UseAWS{}, env, listBuckets)
	if r.IsError {
		t.Fatalf("list-buckets: %s", resultText(r))
	}
	mustContain(t, bashOutput(t, resultText(r)).Stdout, `"Name": "qdev-e2e"`)
	checkAgents(t, moto.UserAgents(), 2)

	before := len(moto.UserAgents())
	r = runTool(t, ExecuteBash{}, env, bashInput("aws s3api list-buckets"))
	out := bashOutput(t, resultText(r))
	if r.IsError || out.ExitStatus != "0" || !strings.Contains(out.Stdout, "qdev-e2e") {
		t.Fatalf("execute_bash aws: %s", resultText(r))
	}
	checkAgents(t, moto.UserAgents()[before:], 1)

	r = runTool(t, UseAWS{}, env, `{"service_name":"s3api","operation_name":"get-bucket-location","region":"us-east-1",
		"label":"x","parameters":{"Bucket":"no-such-bucket"}}`)
	if !r.IsError || r.ExitStatus == 0 || !strings.Contains(resultText(r), "NoSuchBucket") {
		t.Errorf("missing bucket: %+v", r)
	}
}

func checkAgents(t *testing.T, agents []string, atLeast int) {
	t.Helper()
	if len(agents) < atLeast {
		t.Fatalf("proxy saw %d requests, want at least %d", len(agents), atLeast)
	}
	t.Logf("user agent: %s", agents[0])
	for _, ua := range agents {
		if !strings.Contains(ua, "exec-env/AmazonQ-For-CLI") {
			t.Errorf("user agent %q lacks the AI marker", ua)
		}
	}
}
