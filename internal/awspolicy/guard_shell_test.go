package awspolicy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Every spelling of an AWS call that the policies forbid is denied, and
// what cannot be judged asks; nothing that may call AWS is silently let
// through.
func TestGuardShellSpellings(t *testing.T) {
	g, _ := guard(t)
	home := t.TempDir()
	g.Environ = []string{"HOME=" + home, "AWS_REGION=us-east-1"}
	if err := os.MkdirAll(filepath.Join(home, ".aws", "cli"), 0o700); err != nil {
		t.Fatal(err)
	}
	alias := "[toplevel]\nmyalias = s3 rm s3://prod/k\nsh1 = !aws s3 rm s3://prod/k\nsh2 =\n  !f() {\n    aws s3 rm \"$1\"\n  }; f\n"
	if err := os.WriteFile(filepath.Join(home, ".aws", "cli", "alias"), []byte(alias), 0o600); err != nil {
		t.Fatal(err)
	}
	denied := []string{
		`aws s3 rm s3://prod/k`, `a\ws s3 rm s3://prod/k`, `"a"ws s3 rm s3://prod/k`, `'aws' s3 rm s3://prod/k`,
		`$'\x61ws' s3 rm s3://prod/k`, `/usr/local/bin/aws s3 rm s3://prod/k`, `command aws s3 rm s3://prod/k`,
		`env AWS_PAGER= aws s3 rm s3://prod/k`, `exec aws s3 rm s3://prod/k`, `sudo -u ops aws s3 rm s3://prod/k`,
		`echo 'aws s3 rm s3://prod/k' | sh`, `sh <<<'aws s3 rm s3://prod/k'`, "bash <<EOF\naws s3 rm s3://prod/k\nEOF",
		`bash -c 'aws s3 rm s3://prod/k'`, "cat <<EOF | sh\naws s3 rm s3://prod/k\nEOF", `eval 'aws s3 rm s3://prod/k'`, `{aws,s3,rm,s3://prod/k}`,
		`ls; echo $(aws s3 rm s3://prod/k)`, `xargs aws s3 rm s3://prod/k < /dev/null`,
		"python3 - <<EOF\nimport subprocess\nsubprocess.run(['aws', 's3', 'rm', 's3://prod/k'])\nEOF",
		`aws myalias`, `aws sh1`, `aws s3api put-object --cli-input-json '{"Bucket":"prod","Key":"k"}'`,
	}
	for _, line := range denied {
		d, judged := g.Check(tool.Access{Command: line})
		if !judged || d.Kind != permission.Deny {
			t.Errorf("%q: judged %v %v %q, want Deny", line, judged, d.Kind, d.Rule)
		}
	}
	unsure := []string{
		`$(printf aws) s3 rm s3://prod/k`, `A=aws; $A s3 rm s3://prod/k`, `$X s3 ls`, `cat x | sh`,
		`python3 -c 'import boto3; boto3.client("s3").delete_object(Bucket="prod", Key="k")'`,
		`aws s3 rm "s3://$B/k"`, `aws iam delete-user --cli-input-json file://in.json`, `aws sh2 s3://prod/k`,
		`node -e 'require("@aws-sdk/client-s3")'`, `python3 -m awscli s3 rm s3://prod/k`,
		`AWS_PROFILE=x GIT_PAGER='aws s3 rm s3://prod/k' git log`, "terraform apply -auto-approve",
		"cdk deploy", "docker run --rm amazon/aws-cli s3 rm s3://prod/k", "aws-vault exec prod -- true", `echo s3://prod/k | xargs aws s3 rm`,
		`find . -exec aws s3 cp {} s3://scratch/ \;`,
		"printf '[toplevel]\\nx = iam delete-user\\n' > ~/.aws/cli/alias; aws x --user-name bob",
	}
	for _, line := range unsure {
		d, judged := g.Check(tool.Access{Command: line})
		if !judged || d.Kind == permission.Allow {
			t.Errorf("%q: judged %v %v %q, want Ask or Deny", line, judged, d.Kind, d.Rule)
		}
	}
	for _, line := range []string{"ls -la", "echo 'aws s3 rm s3://prod/k'", "grep aws README", "aws --version", "aws help", "aws s3 help"} {
		if _, judged := g.Check(tool.Access{Command: line}); judged {
			t.Errorf("%q was judged as an AWS call", line)
		}
	}
	if d, _ := g.Check(tool.Access{Command: `AWS_REGION="eu-west-1" aws s3 ls s3://prod`}); d.Kind != permission.Allow {
		t.Errorf("allowed read: %v %q", d.Kind, d.Rule)
	}
}

// Layered turns the guard's Ask into the call's verdict, even when the
// agent trusts execute_bash.
func TestGuardAskIsHonoured(t *testing.T) {
	g, _ := guard(t)
	dir := t.TempDir()
	c, _, err := permission.New(permission.Config{Cwd: dir, Home: dir}, permission.Options{TrustAll: true})
	if err != nil {
		t.Fatal(err)
	}
	l := &permission.Layered{Checker: c, AWS: g.Check}
	d := l.Decide("execute_bash", "", tool.Access{Command: "$X s3 ls"})
	if d.Kind != permission.Ask || d.Layer != permission.LayerIAMPolicy || !strings.Contains(d.Rule, "could be aws") {
		t.Fatalf("got %v %q %q", d.Kind, d.Layer, d.Rule)
	}
}
