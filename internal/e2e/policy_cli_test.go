package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/awstest"
)

// q WORD is an unknown command with status 2 and one line; nothing reaches
// the model, even with a default model configured.
func TestUnknownCommandNeverReachesModel(t *testing.T) {
	e := newEnv(t)
	s := e.openai(text("should not be asked"))
	if r := e.run("", "settings", "chat.defaultModel", "openai/m"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	r := e.run("", "hello")
	want := `q: unknown command "hello" for "q"; to chat, run q chat "hello"` + "\n"
	if r.code != 2 || r.stderr != want || r.stdout != "" {
		t.Errorf("q hello: %+v, want exit 2 and %q", r, want)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("q hello sent %d requests to the model", n)
	}
}

// Q_MANAGED_SETTINGS naming a file that is not there stops q: it never
// means "no policy". Flags that would trust every tool under
// disableTrustAll stop q with the reason.
func TestManagedOverrideFailsClosed(t *testing.T) {
	e := newEnv(t)
	e.openai(text("hi"))
	missing := filepath.Join(e.home, "none.json")
	e.vars["Q_MANAGED_SETTINGS"] = missing
	r := e.run("", "--model", "openai/m", "--no-interactive", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, missing) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("missing override: %+v, want exit 1 and one line naming %s", r, missing)
	}
	e.vars["Q_MANAGED_SETTINGS"] = e.write("../managed.json", `{"disableTrustAll": true}`)
	r = e.run("", "--model", "openai/m", "--trust-tools=fs_write,execute_bash,use_aws", "--no-interactive", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, "disableTrustAll") {
		t.Errorf("--trust-tools listing every tool: %+v", r)
	}
}

// use_aws passes endpoint-url through (LocalStack and moto users need it),
// whatever its spelling, and the audit record keeps it.
func TestUseAWSEndpointURL(t *testing.T) {
	m := awstest.StartMoto(t)
	e := newEnv(t)
	for _, kv := range m.Environ(nil) {
		if k, v, _ := strings.Cut(kv, "="); k != "AWS_ENDPOINT_URL" {
			e.vars[k] = v
		}
	}
	s := e.openai(
		toolTurn(tc("c1", "use_aws", `{"service_name":"s3api","operation_name":"create-bucket","region":"us-east-1","label":"x",
			"parameters":{"Bucket":"qdev-endpoint","endpoint_url":"`+m.URL+`"}}`)),
		text("made"),
	)
	if r := e.run("", "--model", "openai/m", "--no-interactive", "--trust-all-tools", "make it"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if got, _ := lastToolResult(t, s, 1); strings.Contains(got, "rror") {
		t.Fatalf("create-bucket through --endpoint-url: %q", got)
	}
	if len(m.UserAgents()) == 0 {
		t.Fatal("the call did not reach the endpoint given as a parameter")
	}
	r := e.run("", "audit", "lookup", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, "endpoint_url") || !strings.Contains(r.stdout, m.URL) {
		t.Fatalf("audit record lacks the endpoint: %+v", r)
	}
}
