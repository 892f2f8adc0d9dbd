package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runPolicy runs `q policy ARGS...` in-process and returns the exit code
// Main would use.
func runPolicy(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := &cobra.Command{Use: "q", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.AddCommand(NewCmdPolicy(IO{Out: &out, ErrOut: &errOut}))
	root.SetArgs(append([]string{"policy"}, args...))
	err := root.Execute()
	var ee *ExitError
	switch {
	case err == nil:
		return out.String(), errOut.String(), 0
	case errors.As(err, &ee):
		if ee.Err != nil {
			errOut.WriteString(ee.Err.Error())
		}
		return out.String(), errOut.String(), ee.Code
	}
	return out.String(), errOut.String() + err.Error(), 1
}

// policyFiles writes name→content files into a temp dir and returns the
// paths by name.
func policyFiles(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

const (
	cliSeed = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowReadOperationsFromQDeveloper","Effect":"Allow","Action":["s3:GetObject*","s3:ListBucket*","ec2:Describe*"],"Resource":"*",
  "Condition":{"StringLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}},
 {"Sid":"BlockWriteOperationsFromQDeveloper","Effect":"Deny","Action":["s3:DeleteObject*","ec2:TerminateInstances","iam:DeleteUser"],"Resource":"*",
  "Condition":{"StringLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}},
 {"Sid":"AllowWriteOperationsFromRegularCLI","Effect":"Allow","Action":["s3:DeleteObject*","ec2:TerminateInstances","iam:DeleteUser"],"Resource":"*",
  "Condition":{"StringNotLike":{"aws:userAgent":"*exec-env/AmazonQ-For-*"}}}]}`
	cliAllowAll = `{"Version":"2012-10-17","Statement":{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}}`
	cliAllowEC2 = `{"Version":"2012-10-17","Statement":{"Sid":"EC2","Effect":"Allow","Action":"ec2:*","Resource":"*"}}`
	cliAllowS3  = `{"Version":"2012-10-17","Statement":{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	cliHome     = `{"Version":"2012-10-17","Statement":{"Sid":"Home","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`
	cliTags     = `{"Version":"2012-10-17","Statement":{"Sid":"Tags","Effect":"Allow","Action":"*","Resource":"*",
  "Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"owner"},"ForAllValues:StringEquals":{"aws:TagKeys":["owner","env"]}}}}`
	qUserAgent = "aws-cli/2.27.17 ua/2.1 exec-env/AmazonQ-For-CLI-Version-1.15.0 md/command#s3.rm"
)

func TestPolicySimulateText(t *testing.T) {
	f := policyFiles(t, map[string]string{"seed.json": cliSeed})
	out, errOut, code := runPolicy(t, "simulate", "--action", "s3:DeleteObject", "--resource", "arn:aws:s3:::b/k",
		"--policy", f["seed.json"], "--context", "aws:UserAgent="+qUserAgent)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if lines[0] != "ExplicitDeny" {
		t.Fatalf("first line %q, want ExplicitDeny\n%s", lines[0], out)
	}
	for _, want := range []string{"blocked by: identity", "explicit deny in an identity-based policy",
		"Deny", "BlockWriteOperationsFromQDeveloper", "statement 1", f["seed.json"]} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The same call from a plain CLI is allowed; a denied decision still exits 0.
	out, _, code = runPolicy(t, "simulate", "--action", "s3:DeleteObject", "--resource", "arn:aws:s3:::b/k", "--policy", f["seed.json"])
	if code != 0 || !strings.HasPrefix(out, "Allow\n") || !strings.Contains(out, "AllowWriteOperationsFromRegularCLI") {
		t.Errorf("plain CLI: exit %d\n%s", code, out)
	}
	out, _, code = runPolicy(t, "simulate", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/k", "--policy", f["seed.json"])
	if code != 0 || !strings.HasPrefix(out, "ImplicitDeny\n") || !strings.Contains(out, "matched statements: none") {
		t.Errorf("implicit deny: exit %d\n%s", code, out)
	}
}

func TestPolicySimulateJSON(t *testing.T) {
	f := policyFiles(t, map[string]string{"root.json": cliAllowAll, "ou-ec2.json": cliAllowEC2, "ou-s3.json": cliAllowS3, "id.json": cliAllowAll})
	run := func(scpArgs ...string) map[string]json.RawMessage {
		args := append([]string{"simulate", "--action", "s3:GetObject", "--resource", "*", "--policy", f["id.json"], "--format", "json"}, scpArgs...)
		out, errOut, code := runPolicy(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		for k, v := range got {
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				t.Fatal(err)
			}
			got[k] = b.Bytes()
		}
		return got
	}
	// Second level holds EC2 only: denied by the SCP chain.
	got := run("--scp", f["root.json"], "--scp", f["ou-ec2.json"])
	if len(got) != 3 || string(got["decision"]) != `"ImplicitDeny"` || string(got["blockedBy"]) != `["scp"]` {
		t.Errorf("ec2-only level: %s", mustJSON(got))
	}
	// Comma-joined files share a level: EC2 ∪ S3 allows.
	got = run("--scp", f["root.json"], "--scp", f["ou-ec2.json"]+","+f["ou-s3.json"])
	if string(got["decision"]) != `"Allow"` || string(got["blockedBy"]) != `[]` {
		t.Errorf("union level: %s", mustJSON(got))
	}
	var matched []map[string]any
	if err := json.Unmarshal(got["matched"], &matched); err != nil || len(matched) != 3 {
		t.Fatalf("matched %s: %v", got["matched"], err)
	}
	if m := matched[1]; m["file"] != f["ou-s3.json"] || m["sid"] != "S3" || m["index"] != 0.0 || m["effect"] != "Allow" || m["policyType"] != "scp" || m["level"] != 2.0 {
		t.Errorf("second match %v", m)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestPolicySimulateCeilingsAndContext(t *testing.T) {
	f := policyFiles(t, map[string]string{"all.json": cliAllowAll, "ec2.json": cliAllowEC2, "home.json": cliHome, "tags.json": cliTags,
		"ctx.json": `{"aws:TagKeys": ["owner", "env"], "aws:SecureTransport": true, "n": 5}`})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"boundary caps", []string{"--policy", f["all.json"], "--boundary", f["ec2.json"]}, "ImplicitDeny"},
		{"session caps", []string{"--policy", f["all.json"], "--session-policy", f["ec2.json"]}, "ImplicitDeny"},
		{"both allow", []string{"--policy", f["all.json"], "--boundary", f["all.json"], "--session-policy", f["all.json"]}, "Allow"},
		{"principal username", []string{"--policy", f["home.json"], "--principal", "arn:aws:iam::123456789012:user/bob"}, "Allow"},
		{"context overrides principal", []string{"--policy", f["home.json"], "--principal", "arn:aws:iam::123456789012:user/bob", "--context", "AWS:username=eve"}, "ImplicitDeny"},
		{"repeated context is multivalued", []string{"--policy", f["tags.json"], "--context", "aws:TagKeys=owner", "--context", "aws:TagKeys=env"}, "Allow"},
		{"stray tag", []string{"--policy", f["tags.json"], "--context", "aws:TagKeys=owner", "--context", "aws:TagKeys=cost"}, "ImplicitDeny"},
		{"context file arrays", []string{"--policy", f["tags.json"], "--context-file", f["ctx.json"]}, "Allow"},
		{"flag replaces file key", []string{"--policy", f["tags.json"], "--context-file", f["ctx.json"], "--context", "aws:tagkeys=cost"}, "ImplicitDeny"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"simulate", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::home/bob/notes.txt"}, tc.args...)
			out, errOut, code := runPolicy(t, args...)
			if code != 0 || !strings.HasPrefix(out, tc.want+"\n") {
				t.Errorf("exit %d, stderr %q, output:\n%s\nwant first line %s", code, errOut, out, tc.want)
			}
		})
	}
}

func TestPolicySimulateBadInput(t *testing.T) {
	f := policyFiles(t, map[string]string{"ok.json": cliAllowAll, "bad.json": "{\n  \"Statement\": {\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n}",
		"ctx-bad.json": `{"k": {"nested": 1}}`})
	base := []string{"simulate", "--resource", "*", "--policy", f["ok.json"]}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no action", base, "--action"},
		{"wildcard action", append(base, "--action", "s3:*"), `--action "s3:*"`},
		{"no resource", []string{"simulate", "--action", "s3:GetObject"}, "--resource is required"},
		{"empty resource", []string{"simulate", "--action", "s3:GetObject", "--resource", ""}, "--resource is empty"},
		{"missing file", append(base, "--action", "s3:GetObject", "--policy", "/nonexistent/p.json"), "/nonexistent/p.json"},
		{"invalid policy", append(base, "--action", "s3:GetObject", "--boundary", f["bad.json"]), f["bad.json"] + ":2:27: Effect \"allow\""},
		{"empty scp entry", append(base, "--action", "s3:GetObject", "--scp", f["ok.json"]+","), "empty file name"},
		{"bad context", append(base, "--action", "s3:GetObject", "--context", "novalue"), `--context "novalue": want KEY=VALUE`},
		{"bad context file", append(base, "--action", "s3:GetObject", "--context-file", f["ctx-bad.json"]), "values must be strings"},
		{"bad principal", append(base, "--action", "s3:GetObject", "--principal", "bob"), "--principal"},
		{"bad format", append(base, "--action", "s3:GetObject", "--format", "yaml"), `--format "yaml"`},
		{"unknown flag", append(base, "--action", "s3:GetObject", "--frobnicate"), "unknown flag"},
		{"positional", append(base, "--action", "s3:GetObject", "extra"), "takes no arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runPolicy(t, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) || strings.Contains(strings.TrimSpace(errOut), "\n") || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line containing %q", code, out, errOut, tc.want)
			}
		})
	}
}

func TestPolicyCheck(t *testing.T) {
	f := policyFiles(t, map[string]string{"ok.json": cliAllowAll,
		"warn.json": `{"Statement":{"Effect":"Deny","Action":"s3:GetObject,s3:PutObject","Resource":"*"}}`,
		"bad.json":  "{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"bucket\",\n   \"Condition\": {\"StringSortOf\": {\"k\": \"v\"}}}]}"})
	out, errOut, code := runPolicy(t, "check", f["ok.json"], f["warn.json"])
	if code != 0 || !strings.Contains(out, f["ok.json"]+": OK (1 statement)") || !strings.Contains(errOut, f["warn.json"]+":1:40: warning:") {
		t.Errorf("valid files: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	_, errOut, code = runPolicy(t, "check", f["bad.json"])
	if code != 1 || !strings.Contains(errOut, f["bad.json"]+":2:61: Resource: resource \"bucket\"") ||
		!strings.Contains(errOut, f["bad.json"]+":3:18: unknown condition operator \"StringSortOf\"") {
		t.Errorf("invalid file: exit %d\nstderr %s", code, errOut)
	}
	if _, errOut, code = runPolicy(t, "check", filepath.Join(t.TempDir(), "missing.json")); code != 2 || !strings.Contains(errOut, "missing.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if _, _, code = runPolicy(t, "check"); code != 2 {
		t.Errorf("no files: exit %d, want 2", code)
	}
}

func TestPolicyValidate(t *testing.T) {
	f := policyFiles(t, map[string]string{"ok.json": cliAllowAll,
		"values.json": "{\"Version\":\"2012-10-17\",\"Statement\":[\n" +
			" {\"Sid\":\"MFA\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"one hour\"}}},\n" +
			" {\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"},\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3\"}}}]}",
		"bad.json": `{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}`})
	out, errOut, code := runPolicy(t, "validate", f["ok.json"], f["values.json"])
	if code != 1 || !strings.Contains(out, f["ok.json"]+": OK (1 statement)") || strings.Contains(out, f["values.json"]) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	want := []string{
		f["values.json"] + `:2:117: statement 0 (Sid MFA): NumericLessThan aws:MultiFactorAuthAge: value "one hour" is not an integer or decimal; the condition never matches`,
		f["values.json"] + `:3:91: statement 1: NotIpAddress aws:SourceIp: value "10.0.0.0/33" is not a CIDR block; the condition never matches`,
		f["values.json"] + `:3:133: statement 1: ArnLike aws:SourceArn: malformed ARN "arn:aws:s3": want arn:partition:service:region:account:resource; the condition never matches`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), errOut)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got  %s\n want %s", i, lines[i], want[i])
		}
	}
	// check is an alias; parse errors fail too.
	if _, errOut, code := runPolicy(t, "check", f["bad.json"]); code != 1 || !strings.Contains(errOut, `Effect "allow"`) {
		t.Errorf("check alias: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := runPolicy(t, "validate"); code != 2 || !strings.Contains(errOut, "q policy validate needs") {
		t.Errorf("no files: exit %d, stderr %q", code, errOut)
	}
	// A policy with findings still evaluates: its broken Deny never applies.
	out, _, code = runPolicy(t, "simulate", "--action", "s3:GetObject", "--resource", "*", "--policy", f["values.json"],
		"--context", "aws:MultiFactorAuthAge=60")
	if code != 0 || !strings.HasPrefix(out, "ImplicitDeny\n") {
		t.Errorf("simulate with findings: exit %d\n%s", code, out)
	}
}

func TestPolicySimulateBuiltinRules(t *testing.T) {
	f := policyFiles(t, map[string]string{"all.json": cliAllowAll,
		"deny.json": `{"Version":"2012-10-17","Statement":{"Sid":"NoSTS","Effect":"Deny","Action":"sts:*","Resource":"*"}}`})
	out, _, code := runPolicy(t, "simulate", "--action", "iam:DeletePolicy", "--resource", "arn:aws:iam::aws:policy/AdministratorAccess", "--policy", f["all.json"])
	if code != 0 || !strings.HasPrefix(out, "ImplicitDeny\nrule: aws-managed-policy") || !strings.Contains(out, "AWS managed policy") || !strings.Contains(out, "FullAWSAccess") {
		t.Errorf("managed policy: exit %d\n%s", code, out)
	}
	out, _, code = runPolicy(t, "simulate", "--action", "sts:GetCallerIdentity", "--resource", "*", "--policy", f["all.json"], "--policy", f["deny.json"], "--format", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got["decision"] != "Allow" || got["rule"] != "always-allowed" {
		t.Errorf("GetCallerIdentity: exit %d, %v\n%s", code, err, out)
	}
}
