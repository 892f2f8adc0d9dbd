package tool

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/awsaction"
)

func TestAWSParameters(t *testing.T) {
	tests := []struct {
		params string
		want   []string
		err    string
	}{
		{`{"TableName":"t","--limit":5}`, []string{"--limit", "5", "--table-name", "t"}, ""},
		{`{"dry-run":"","filters":[{"Name":"a","Values":["b"]}]}`, []string{"--dry-run", "--filters", `[{"Name":"a","Values":["b"]}]`}, ""},
		{`{"item":{"k": {"S": "v"}},"flag":true,"start":"-1"}`, []string{"--flag", "true", "--item", `{"k":{"S":"v"}}`, "--start=-1"}, ""},
		{`{"profile":"admin"}`, nil, "global AWS CLI option"},
		{`{"Region":"us-east-1"}`, nil, "global AWS CLI option"},
		{`{"--endpoint-url":"http://localhost:4566"}`, []string{"--endpoint-url", "http://localhost:4566"}, ""},
		{`{"ca_bundle":"/tmp/ca.pem"}`, nil, "global AWS CLI option"},
		{`{"Debug":""}`, nil, "global AWS CLI option"},
		{`{"--":"x"}`, nil, "not an AWS CLI option name"},
		{`{"query=Foo":"x"}`, nil, "not an AWS CLI option name"},
		{`{"Bucket":"allowed","--bucket":"secret"}`, nil, `parameters "--bucket" and "Bucket" both set the option --bucket`},
		{`{"TableName":"a","table_name":"b"}`, nil, `both set the option --table-name`},
	}
	for _, tc := range tests {
		var params map[string]json.RawMessage
		if err := json.Unmarshal([]byte(tc.params), &params); err != nil {
			t.Fatal(err)
		}
		got, err := awsParams(params)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.params, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q, %v; want %q", tc.params, got, err, tc.want)
		}
	}
}

// awsParams is the parameter half of Prepare.
func awsParams(raw map[string]json.RawMessage) ([]string, error) {
	params, err := awsaction.ParamsFromJSON(raw)
	if err != nil {
		return nil, err
	}
	return awsFlags(params)
}

func TestUseAWSPrepare(t *testing.T) {
	env := testEnv(t)
	inv := prepare(t, UseAWS{}, env, `{"service_name":"dynamodb","operation_name":"get-item","region":"eu-west-1",
		"profile_name":"dev","label":"Read an item","parameters":{"TableName":"t","Key":{"id":{"S":"1"}}}}`)
	want := []string{"--region", "eu-west-1", "--profile", "dev", "dynamodb", "get-item", "--key", `{"id":{"S":"1"}}`, "--table-name", "t"}
	if got := inv.(*awsCall).Args(); !reflect.DeepEqual(got, want) {
		t.Errorf("args = %q", got)
	}
	if a := inv.Access(); a.AWSService != "dynamodb" || a.AWSOperation != "get-item" || a.AWSRegion != "eu-west-1" || a.AWSProfile != "dev" {
		t.Errorf("Access = %+v", a)
	}
	d := describe(inv, false)
	for _, s := range []string{"Service name: dynamodb", "Operation name: get-item", "- --table-name: t", "Profile name: dev", "Region: eu-west-1", "Label: Read an item"} {
		mustContain(t, d, s)
	}
	inv = prepare(t, UseAWS{}, env, `{"service_name":"s3api","operation_name":"list-buckets","region":"us-east-1","label":"x"}`)
	if got := inv.(*awsCall).Args(); !reflect.DeepEqual(got, []string{"--region", "us-east-1", "s3api", "list-buckets"}) {
		t.Errorf("args without profile = %q", got)
	}

	for _, tc := range []struct{ input, want string }{
		{`{"operation_name":"x","region":"r"}`, "service_name is required"},
		{`{"service_name":"s3","region":"r"}`, "operation_name is required"},
		{`{"service_name":"s3","operation_name":"ls"}`, "region is required"},
		{`{"service_name":"--debug","operation_name":"ls","region":"r"}`, "must be a single word"},
		{`{"service_name":"s3","operation_name":"ls","region":"r","profile_name":"--x"}`, "profile_name"},
		{`{"service_name":"s3","operation_name":"ls","region":"r","parameters":[1]}`, `"parameters" must be an object`},
		{`{"service_name":"s3","operation_name":"ls","region":"r","parameters":{"profile":"p"}}`, "use the region and profile_name fields"},
	} {
		mustContain(t, prepareErr(t, UseAWS{}, env, tc.input), tc.want)
	}
}

// fakeAWS puts an `aws` script with body on a PATH of its own.
func fakeAWS(t *testing.T, env *Env, body string) {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, kv := range env.Environ {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	env.Environ = append(out, "PATH="+bin+":/usr/bin:/bin")
}

const listBuckets = `{"service_name":"s3api","operation_name":"list-buckets","region":"us-east-1","label":"x"}`

func TestUseAWSRunWithFakeCLI(t *testing.T) {
	env := testEnv(t)
	fakeAWS(t, env, `echo "args: $*"; printf %s "$AWS_EXECUTION_ENV" >&2`)
	r := runTool(t, UseAWS{}, env, `{"service_name":"s3api","operation_name":"list-objects","region":"us-east-1","label":"x","parameters":{"Bucket":"b c"}}`)
	if r.IsError {
		t.Fatal(resultText(r))
	}
	out := bashOutput(t, resultText(r))
	if out.ExitStatus != "0" || out.Stdout != "args: --region us-east-1 s3api list-objects --bucket b c" {
		t.Errorf("output = %+v", out)
	}
	mustContain(t, out.Stderr, "AmazonQ-For-CLI Version/9.9.9")

	fakeAWS(t, env, `echo partial; echo "An error occurred (NoSuchBucket)" >&2; exit 254`)
	r = runTool(t, UseAWS{}, env, listBuckets)
	if !r.IsError || r.ExitStatus != 254 || resultText(r) != "An error occurred (NoSuchBucket)" {
		t.Errorf("failure: %+v", r)
	}

	fakeAWS(t, env, `echo $$ > `+filepath.Join(env.Cwd, "pid")+`; exec sleep 300`)
	start := time.Now()
	r = prepare(t, UseAWS{Timeout: time.Second}, env, listBuckets).Run(t.Context(), nil)
	if !r.IsError || !strings.HasPrefix(resultText(r), "aws command timed out after 1s") {
		t.Errorf("timeout: %+v", r)
	}
	waitGone(t, readPID(t, filepath.Join(env.Cwd, "pid")))
	if time.Since(start) > time.Minute {
		t.Error("timeout did not stop the command")
	}

	env.Environ = append(env.Environ, "PATH="+t.TempDir())
	r = runTool(t, UseAWS{}, env, listBuckets)
	if !r.IsError || !strings.Contains(resultText(r), "not installed or not on PATH") {
		t.Errorf("missing aws: %+v", r)
	}
}

// The judges see the parameters exactly as the command line passes them:
// keyed by CLI option, whatever the model's spelling, --endpoint-url too.
func TestUseAWSAccessIsWhatRuns(t *testing.T) {
	env := testEnv(t)
	inv := prepare(t, UseAWS{}, env, `{"service_name":"s3api","operation_name":"get-object","region":"us-east-1","label":"x",
		"parameters":{"Bucket":"b","key":"k","OutFile":"-o","EndpointUrl":"http://127.0.0.1:4566"}}`)
	acc := inv.Access()
	judged, err := awsaction.ParamsFromJSON(acc.AWSParameters)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bucket": "b", "key": "k", "out-file": "-o", "endpoint-url": "http://127.0.0.1:4566"}
	if !reflect.DeepEqual(judged, want) {
		t.Errorf("judged parameters %q, want %q", judged, want)
	}
	args := inv.(*awsCall).Args()
	wantArgs := []string{"--region", "us-east-1", "s3api", "get-object", "--bucket", "b", "--endpoint-url", "http://127.0.0.1:4566", "--key", "k", "--out-file=-o"}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args %q, want %q", args, wantArgs)
	}
}

// A file:// value is judged and sent as the file's text, never as its
// name: the guard would otherwise judge "file://b.txt" as the bucket while
// the CLI read another bucket from the file.
func TestUseAWSParamFiles(t *testing.T) {
	env := testEnv(t)
	if err := os.WriteFile(filepath.Join(env.Cwd, "bucket.txt"), []byte("secret-bucket"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := prepare(t, UseAWS{}, env, `{"service_name":"s3api","operation_name":"get-object","region":"us-east-1","label":"x",
		"parameters":{"Bucket":"file://bucket.txt","Key":"k"}}`)
	judged, err := awsaction.ParamsFromJSON(inv.Access().AWSParameters)
	if err != nil || judged["bucket"] != "secret-bucket" {
		t.Errorf("judged %q, %v; want the file's text as the bucket", judged, err)
	}
	if args := inv.(*awsCall).Args(); !slices.Contains(args, "secret-bucket") || slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, "file://") }) {
		t.Errorf("args %q, want the file's text inline", args)
	}
	for _, tc := range []struct{ params, want string }{
		{`{"Payload":"fileb://x.bin"}`, "fileb:// values are not supported"},
		{`{"Bucket":"file://missing.txt"}`, "missing.txt"},
		{`{"cli_input_json":"{\"Bucket\":\"secret\"}"}`, `"cli-input-json" is not supported`},
		{`{"CliInputYaml":"Bucket: secret"}`, `"cli-input-yaml" is not supported`},
	} {
		input := `{"service_name":"s3api","operation_name":"get-object","region":"us-east-1","label":"x","parameters":` + tc.params + `}`
		mustContain(t, prepareErr(t, UseAWS{}, env, input), tc.want)
	}
}
