package attribution_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/attribution"
	"github.com/qdev/qdev/internal/awstest"
	"github.com/qdev/qdev/internal/tool"
)

const motoRole = "arn:aws:iam::123456789012:role/qdev-ai"

// motoEnv returns the user's environment for moto: the testing keys and
// region us-east-1 from awstest, USER=alice, and AWS_PROFILE=user naming a
// profile with keys of its own (USERPROFILEKEY) and region us-west-2, so
// the tests can tell which credentials and region each request used.
// drop lists variables to leave out.
func motoEnv(t *testing.T, moto *awstest.Moto, drop ...string) []string {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	writeFile(t, config, "[default]\nregion = us-east-1\n[profile user]\nregion = us-west-2\n")
	writeFile(t, creds, "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n"+
		"[user]\naws_access_key_id = USERPROFILEKEY\naws_secret_access_key = x\n")
	var env []string
	for _, kv := range moto.Environ(os.Environ()) {
		name, _, _ := strings.Cut(kv, "=")
		if name == "USER" || name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE" || contains(drop, name) {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "USER=alice", "AWS_PROFILE=user", "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+creds)
	return tool.ChildEnv(env, "9.9.9")
}

func requireAWS(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("aws is not on PATH (required in CI)")
		}
		t.Skip("aws not on PATH")
	}
}

// TestAttributedChildrenAgainstMoto assumes the role at moto's STS through
// execute_bash and use_aws, and checks that the real AWS CLI then signed
// its S3 calls with the role's keys, not the user's.
func TestAttributedChildrenAgainstMoto(t *testing.T) {
	requireAWS(t)
	moto := awstest.StartMoto(t)
	base := motoEnv(t, moto)
	p := attribution.New(motoRole, attribution.Options{Environ: base})
	env := &tool.Env{Cwd: t.TempDir(), Environ: base, Version: "9.9.9", Credentials: p.Environ}

	r := run(t, tool.ExecuteBash{}, env, bashInput("aws s3api create-bucket --bucket attributed && aws s3api list-buckets"))
	if r.IsError || r.ExitStatus != 0 || !strings.Contains(text(r), "attributed") {
		t.Fatalf("execute_bash: %s", text(r))
	}
	r = run(t, tool.UseAWS{}, env, listBuckets)
	if r.IsError || !strings.Contains(text(r), "attributed") {
		t.Fatalf("use_aws: %s", text(r))
	}

	assumes := moto.Filter(func(r awstest.Request) bool { return r.Form.Get("Action") == "AssumeRole" })
	if len(assumes) != 1 {
		t.Fatalf("%d AssumeRole requests, want 1 shared by both tools: %+v", len(assumes), assumes)
	}
	checkAssumeRole(t, assumes[0], "testing") // keys in the environment beat AWS_PROFILE

	got, err := p.Environ(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	roleKey := value(got, "AWS_ACCESS_KEY_ID")
	if !strings.HasPrefix(roleKey, "ASIA") {
		t.Fatalf("role key %q is not a temporary key", roleKey)
	}
	s3 := moto.Filter(func(r awstest.Request) bool { return r.Service == "s3" })
	if len(s3) != 3 {
		t.Fatalf("%d S3 requests, want 3: %+v", len(s3), s3)
	}
	for _, r := range s3 {
		if r.AccessKeyID != roleKey || r.Region != "us-east-1" {
			t.Errorf("S3 %s %s signed by %q in %s, want the role's %q in us-east-1", r.Method, r.Path, r.AccessKeyID, r.Region, roleKey)
		}
	}
}

// TestAttributionFromProfileAgainstMoto has no keys or region in the
// environment: the base credentials and region come from AWS_PROFILE, and
// the child, whose AWS_PROFILE is removed, keeps the profile's region.
func TestAttributionFromProfileAgainstMoto(t *testing.T) {
	requireAWS(t)
	moto := awstest.StartMoto(t)
	base := motoEnv(t, moto, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION")
	p := attribution.New(motoRole, attribution.Options{Environ: base})
	env := &tool.Env{Cwd: t.TempDir(), Environ: base, Version: "9.9.9", Credentials: p.Environ}

	r := run(t, tool.ExecuteBash{}, env, bashInput("aws s3api list-buckets"))
	if r.IsError || r.ExitStatus != 0 {
		t.Fatalf("execute_bash: %s", text(r))
	}
	assumes := moto.Filter(func(r awstest.Request) bool { return r.Form.Get("Action") == "AssumeRole" })
	if len(assumes) != 1 {
		t.Fatalf("%d AssumeRole requests, want 1", len(assumes))
	}
	checkAssumeRole(t, assumes[0], "USERPROFILEKEY")
	if assumes[0].Region != "us-west-2" {
		t.Errorf("AssumeRole signed for %q, want the profile's us-west-2", assumes[0].Region)
	}
	s3 := moto.Filter(func(r awstest.Request) bool { return r.Service == "s3" })
	if len(s3) != 1 || !strings.HasPrefix(s3[0].AccessKeyID, "ASIA") || s3[0].Region != "us-west-2" {
		t.Errorf("S3 requests = %+v, want one signed with an ASIA key in us-west-2", s3)
	}
}

// TestUnreachableSTSFailsClosed points STS, and only STS, at a closed
// port: the command is refused and moto sees nothing.
func TestUnreachableSTSFailsClosed(t *testing.T) {
	requireAWS(t)
	moto := awstest.StartMoto(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	base := append(motoEnv(t, moto), "AWS_ENDPOINT_URL_STS="+closed)
	p := attribution.New(motoRole, attribution.Options{Environ: base})
	env := &tool.Env{Cwd: t.TempDir(), Environ: base, Version: "9.9.9", Credentials: p.Environ}

	r := run(t, tool.ExecuteBash{}, env, bashInput("aws s3api list-buckets"))
	msg := text(r)
	if !r.IsError || !strings.HasPrefix(msg, "AWS credentials for AI-initiated calls are unavailable: cannot assume the attribution role "+motoRole+": ") ||
		!strings.Contains(msg, strings.TrimPrefix(closed, "http://")) || strings.Contains(msg, "\n") {
		t.Errorf("result: IsError=%v %q", r.IsError, msg)
	}
	if reqs := moto.Requests(); len(reqs) != 0 {
		t.Errorf("moto saw %d requests, want none: %+v", len(reqs), reqs)
	}
}

func checkAssumeRole(t *testing.T, r awstest.Request, signer string) {
	t.Helper()
	want := map[string]string{
		"RoleArn":                    motoRole,
		"RoleSessionName":            "qdev-alice",
		"SourceIdentity":             "alice",
		"Tags.member.1.Key":          "qdev-ai",
		"Tags.member.1.Value":        "true",
		"Tags.member.2.Key":          "qdev-user",
		"Tags.member.2.Value":        "alice",
		"TransitiveTagKeys.member.1": "qdev-ai",
		"TransitiveTagKeys.member.2": "qdev-user",
	}
	for k, v := range want {
		if got := r.Form.Get(k); got != v {
			t.Errorf("AssumeRole %s = %q, want %q", k, got, v)
		}
	}
	if r.AccessKeyID != signer || r.Service != "sts" {
		t.Errorf("AssumeRole signed by %q for %q, want %q for sts", r.AccessKeyID, r.Service, signer)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func value(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if s, ok := strings.CutPrefix(kv, key+"="); ok {
			v = s
		}
	}
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
