package awsaction

import (
	"reflect"
	"strings"
	"testing"
)

func TestFromCommandLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Call
	}{
		{"aws s3 ls", Call{Service: "s3", Operation: "ls", Params: map[string]string{}, Args: []string{}}},
		{"/usr/local/bin/aws --region eu-west-1 --output json s3api get-object --bucket b --key k out.txt",
			Call{Service: "s3api", Operation: "get-object", Region: "eu-west-1", Params: map[string]string{"bucket": "b", "key": "k"}, Args: []string{"out.txt"}}},
		{"aws s3 rm --recursive s3://b/p --profile dev --region=us-west-2",
			Call{Service: "s3", Operation: "rm", Region: "us-west-2", Profile: "dev", Params: map[string]string{"recursive": ""}, Args: []string{"s3://b/p"}}},
		{"aws s3 cp --acl public-read a.txt s3://b/ --no-progress",
			Call{Service: "s3", Operation: "cp", Params: map[string]string{"acl": "public-read", "no-progress": ""}, Args: []string{"a.txt", "s3://b/"}}},
		{"aws --debug --no-cli-pager ec2 describe-instances --dry-run --instance-ids i-1 --max-items=5",
			Call{Service: "ec2", Operation: "describe-instances", Params: map[string]string{"dry-run": "", "instance-ids": "i-1", "max-items": "5"}, Args: []string{}}},
		{"AWS_REGION=ap-south-1 AWS_PROFILE=p FOO=1 aws sts get-caller-identity",
			Call{Service: "sts", Operation: "get-caller-identity", Region: "ap-south-1", Profile: "p", Params: map[string]string{}, Args: []string{}}},
		{"AWS_REGION=ap-south-1 aws --region us-east-1 sts get-caller-identity",
			Call{Service: "sts", Operation: "get-caller-identity", Region: "us-east-1", Params: map[string]string{}, Args: []string{}}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			got, ok := FromCommandLine(strings.Fields(tc.line))
			if !ok {
				t.Fatal("not recognised")
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFromCommandLineRejects(t *testing.T) {
	for _, line := range []string{
		"", "ls -l", "awscli s3 ls", "aws", "aws s3", "aws --version", "aws help", "aws s3 help",
		"aws ec2 describe-instances help", "aws s3 ls --region", "FOO=1",
	} {
		if c, ok := FromCommandLine(strings.Fields(line)); ok {
			t.Errorf("FromCommandLine(%q) = %+v, want not a call", line, c)
		}
	}
}

// The parsed call resolves to the same accesses as the structured one.
func TestFromCommandLineResolves(t *testing.T) {
	c, ok := FromCommandLine(strings.Fields("aws s3 mv s3://a/k s3://b/ --region us-gov-west-1"))
	if !ok {
		t.Fatal("not recognised")
	}
	got, err := Resolve(c)
	want := []Access{{"s3:GetObject", "arn:aws-us-gov:s3:::a/k"}, {"s3:PutObject", "arn:aws-us-gov:s3:::b/k"}, {"s3:DeleteObject", "arn:aws-us-gov:s3:::a/k"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve = %v, %v; want %v", got, err, want)
	}
}

func FuzzFromCommandLine(f *testing.F) {
	f.Add("aws --region eu-west-1 s3 cp --recursive s3://a/p/ s3://b/ --exclude *.tmp")
	f.Add("AWS_REGION=us-east-1 aws s3api copy-object --bucket b --key k --copy-source src/x%20y?versionId=1")
	f.Add("aws s3 ls s3:// --profile=p")
	f.Fuzz(func(t *testing.T, line string) {
		c, ok := FromCommandLine(strings.Fields(line))
		if !ok {
			return
		}
		if c.Service == "" || c.Operation == "" {
			t.Fatalf("recognised %q without service or operation: %+v", line, c)
		}
		accesses, err := Resolve(c)
		for _, a := range accesses {
			if err != nil || !strings.Contains(a.Action, ":") {
				t.Fatalf("Resolve(%+v) = %v, %v", c, accesses, err)
			}
		}
	})
}

func TestAliases(t *testing.T) {
	al := ParseAliases(`[toplevel]
whoami = sts get-caller-identity
nuke = iam delete-user --user-name "bob smith"
shellx =
  !f() {
    aws iam delete-user --user-name "$1"
  }; f
[command ec2]
running = describe-instances --filters Name=instance-state-name,Values=running
[other]
ignored = x
`)
	tests := []struct {
		args  []string
		want  string
		shell string
	}{
		{[]string{"aws", "whoami"}, "aws sts get-caller-identity", ""},
		{[]string{"aws", "--region", "us-east-1", "nuke"}, "aws --region us-east-1 iam delete-user --user-name bob smith", ""},
		{[]string{"aws", "ec2", "running", "--max-items", "1"}, "aws ec2 describe-instances --filters Name=instance-state-name,Values=running --max-items 1", ""},
		{[]string{"aws", "shellx", "bob"}, "", "f() {\naws iam delete-user --user-name \"$1\"\n}; f 'bob'"},
		{[]string{"aws", "s3", "ls"}, "aws s3 ls", ""},
		{[]string{"aws", "ignored"}, "aws ignored", ""},
	}
	for _, tt := range tests {
		out, sh, _ := al.Expand(tt.args)
		if strings.Join(out, " ") != tt.want || sh != tt.shell {
			t.Errorf("Expand(%q) = %q, %q; want %q, %q", tt.args, out, sh, tt.want, tt.shell)
		}
	}
	if strings.Join(splitWords(`a 'b c' "d\"e" f\ g`), "|") != `a|b c|d"e|f g` {
		t.Errorf("splitWords: %q", splitWords(`a 'b c' "d\"e" f\ g`))
	}
}

func TestInputJSON(t *testing.T) {
	c, _ := FromCommandLine(strings.Fields(`aws iam delete-user --cli-input-json {"UserName":"bob"}`))
	if err := InputJSON(&c); err != nil || c.Params["user-name"] != "bob" {
		t.Fatalf("inline: %v %q", err, c.Params)
	}
	for _, line := range []string{"aws iam delete-user --cli-input-json file://x.json", "aws iam delete-user --cli-input-json {",
		"aws iam delete-user --cli-input-yaml x"} {
		c, _ := FromCommandLine(strings.Fields(line))
		if err := InputJSON(&c); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}
