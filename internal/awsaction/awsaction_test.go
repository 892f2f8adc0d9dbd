package awsaction

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestActionNameAndPrefix(t *testing.T) {
	for op, want := range map[string]string{
		"describe-instances":  "DescribeInstances",
		"list-objects-v2":     "ListObjectsV2",
		"DescribeInstances":   "DescribeInstances",
		"describe_instances":  "DescribeInstances",
		"get-caller-identity": "GetCallerIdentity",
		"DescribeDBInstances": "DescribeDbInstances",
	} {
		if got := ActionName(op); got != want {
			t.Errorf("ActionName(%q) = %q, want %q", op, got, want)
		}
	}
	for svc, want := range map[string]string{
		"s3api": "s3", "s3": "s3", "ec2": "ec2", "stepfunctions": "states", "elbv2": "elasticloadbalancing",
		"configservice": "config", "deploy": "codedeploy", "iam": "iam", "EC2": "ec2",
	} {
		if got := IAMPrefix(svc); got != want {
			t.Errorf("IAMPrefix(%q) = %q, want %q", svc, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	type acc = []Access
	for _, tc := range []struct {
		name string
		call Call
		want acc
	}{
		{"generic", Call{Service: "ec2", Operation: "describe-instances", Region: "us-east-1"}, acc{{"ec2:DescribeInstances", ""}}},
		{"prefix differs", Call{Service: "stepfunctions", Operation: "start-execution"}, acc{{"states:StartExecution", ""}}},
		{"override", Call{Service: "lambda", Operation: "invoke"}, acc{{"lambda:InvokeFunction", ""}}},
		{"two actions", Call{Service: "cloudformation", Operation: "deploy"}, acc{{"cloudformation:CreateChangeSet", ""}, {"cloudformation:ExecuteChangeSet", ""}}},
		{"local only", Call{Service: "configure", Operation: "list"}, nil},
		// s3api: object and bucket resources.
		{"get-object", Call{Service: "s3api", Operation: "get-object", Params: map[string]string{"bucket": "b", "key": "dir/k.txt"}}, acc{{"s3:GetObject", "arn:aws:s3:::b/dir/k.txt"}}},
		{"PascalCase params", Call{Service: "s3api", Operation: "delete-object", Params: map[string]string{"Bucket": "b", "Key": "k"}}, acc{{"s3:DeleteObject", "arn:aws:s3:::b/k"}}},
		{"flag params", Call{Service: "s3api", Operation: "put-object", Params: map[string]string{"--bucket": "b", "--key": "k"}}, acc{{"s3:PutObject", "arn:aws:s3:::b/k"}}},
		{"version id", Call{Service: "s3api", Operation: "delete-object", Params: map[string]string{"bucket": "b", "key": "k", "version-id": "v1"}}, acc{{"s3:DeleteObjectVersion", "arn:aws:s3:::b/k"}}},
		{"object op without key", Call{Service: "s3api", Operation: "get-object", Params: map[string]string{"bucket": "b"}}, acc{{"s3:GetObject", ""}}},
		{"bucket op", Call{Service: "s3api", Operation: "get-bucket-policy", Params: map[string]string{"bucket": "b"}}, acc{{"s3:GetBucketPolicy", "arn:aws:s3:::b"}}},
		{"bucket-level object lock", Call{Service: "s3api", Operation: "get-object-lock-configuration", Params: map[string]string{"bucket": "b"}}, acc{{"s3:GetBucketObjectLockConfiguration", "arn:aws:s3:::b"}}},
		{"list-objects-v2", Call{Service: "s3api", Operation: "list-objects-v2", Params: map[string]string{"bucket": "b"}}, acc{{"s3:ListBucket", "arn:aws:s3:::b"}}},
		{"list-buckets", Call{Service: "s3api", Operation: "list-buckets"}, acc{{"s3:ListAllMyBuckets", "*"}}},
		{"delete-objects", Call{Service: "s3api", Operation: "delete-objects", Params: map[string]string{"bucket": "b", "delete": `{"Objects":[{"Key":"k"}]}`}}, acc{{"s3:DeleteObject", ""}}},
		{"copy-object", Call{Service: "s3api", Operation: "copy-object", Params: map[string]string{"bucket": "dst", "key": "k2", "copy-source": "src/a%20b.txt?versionId=3"}}, acc{{"s3:GetObjectVersion", "arn:aws:s3:::src/a b.txt"}, {"s3:PutObject", "arn:aws:s3:::dst/k2"}}},
		{"china partition", Call{Service: "s3api", Operation: "head-bucket", Region: "cn-north-1", Params: map[string]string{"bucket": "b"}}, acc{{"s3:ListBucket", "arn:aws-cn:s3:::b"}}},
		{"access point is unknown", Call{Service: "s3api", Operation: "get-object", Params: map[string]string{"bucket": "arn:aws:s3:us-west-2:1:accesspoint/ap", "key": "k"}}, acc{{"s3:GetObject", ""}}},
		// aws s3 high-level commands.
		{"ls buckets", Call{Service: "s3", Operation: "ls"}, acc{{"s3:ListAllMyBuckets", "*"}}},
		{"ls bucket", Call{Service: "s3", Operation: "ls", Args: []string{"s3://b/prefix/"}}, acc{{"s3:ListBucket", "arn:aws:s3:::b"}}},
		{"cp upload", Call{Service: "s3", Operation: "cp", Args: []string{"./a.txt", "s3://b/dir/"}}, acc{{"s3:PutObject", "arn:aws:s3:::b/dir/a.txt"}}},
		{"cp upload named", Call{Service: "s3", Operation: "cp", Args: []string{"a.txt", "s3://b/x.txt"}}, acc{{"s3:PutObject", "arn:aws:s3:::b/x.txt"}}},
		{"cp download", Call{Service: "s3", Operation: "cp", Args: []string{"s3://b/k", "."}}, acc{{"s3:GetObject", "arn:aws:s3:::b/k"}}},
		{"cp s3 to s3", Call{Service: "s3", Operation: "cp", Args: []string{"s3://a/k", "s3://b/"}}, acc{{"s3:GetObject", "arn:aws:s3:::a/k"}, {"s3:PutObject", "arn:aws:s3:::b/k"}}},
		{"cp recursive", Call{Service: "s3", Operation: "cp", Args: []string{"s3://a/p/", "s3://b/"}, Params: map[string]string{"recursive": ""}}, acc{{"s3:ListBucket", "arn:aws:s3:::a"}, {"s3:GetObject", ""}, {"s3:PutObject", ""}}},
		{"cp stdin into prefix", Call{Service: "s3", Operation: "cp", Args: []string{"-", "s3://b/dir/"}}, acc{{"s3:PutObject", ""}}},
		{"mv", Call{Service: "s3", Operation: "mv", Args: []string{"s3://a/k", "s3://b/k2"}}, acc{{"s3:GetObject", "arn:aws:s3:::a/k"}, {"s3:PutObject", "arn:aws:s3:::b/k2"}, {"s3:DeleteObject", "arn:aws:s3:::a/k"}}},
		{"mv upload", Call{Service: "s3", Operation: "mv", Args: []string{"f", "s3://b/f"}}, acc{{"s3:PutObject", "arn:aws:s3:::b/f"}}},
		{"rm", Call{Service: "s3", Operation: "rm", Args: []string{"s3://b/k"}}, acc{{"s3:DeleteObject", "arn:aws:s3:::b/k"}}},
		{"rm recursive", Call{Service: "s3", Operation: "rm", Args: []string{"s3://b/p"}, Params: map[string]string{"--recursive": ""}}, acc{{"s3:ListBucket", "arn:aws:s3:::b"}, {"s3:DeleteObject", ""}}},
		{"sync up with delete", Call{Service: "s3", Operation: "sync", Args: []string{".", "s3://b/site"}, Params: map[string]string{"delete": ""}}, acc{{"s3:ListBucket", "arn:aws:s3:::b"}, {"s3:PutObject", ""}, {"s3:DeleteObject", ""}}},
		{"sync down", Call{Service: "s3", Operation: "sync", Args: []string{"s3://b", "."}}, acc{{"s3:ListBucket", "arn:aws:s3:::b"}, {"s3:GetObject", ""}}},
		{"mb", Call{Service: "s3", Operation: "mb", Args: []string{"s3://new"}}, acc{{"s3:CreateBucket", "arn:aws:s3:::new"}}},
		{"rb", Call{Service: "s3", Operation: "rb", Args: []string{"s3://old"}}, acc{{"s3:DeleteBucket", "arn:aws:s3:::old"}}},
		{"rb force", Call{Service: "s3", Operation: "rb", Args: []string{"s3://old"}, Params: map[string]string{"force": ""}}, acc{{"s3:ListBucket", "arn:aws:s3:::old"}, {"s3:DeleteObject", ""}, {"s3:DeleteBucket", "arn:aws:s3:::old"}}},
		{"presign", Call{Service: "s3", Operation: "presign", Args: []string{"s3://b/k"}}, acc{{"s3:GetObject", "arn:aws:s3:::b/k"}}},
		{"website", Call{Service: "s3", Operation: "website", Args: []string{"s3://b"}}, acc{{"s3:PutBucketWebsite", "arn:aws:s3:::b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.call)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Resolve = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	for _, tc := range []struct {
		call Call
		want string
	}{
		{Call{Operation: "ls"}, "no service or operation"},
		{Call{Service: "s3", Operation: "frobnicate"}, "unknown command aws s3 frobnicate"},
		{Call{Service: "s3", Operation: "cp", Args: []string{"a"}}, "takes 2 to 2 path arguments, got 1"},
		{Call{Service: "s3", Operation: "cp", Args: []string{"a", "b"}}, "at least one s3:// path"},
		{Call{Service: "s3", Operation: "rm", Args: []string{"local"}}, "needs an s3://bucket argument"},
		{Call{Service: "s3", Operation: "ls", Args: []string{"local"}}, "needs an s3:// argument"},
	} {
		if _, err := Resolve(tc.call); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Resolve(%+v) error %v, want %q", tc.call, err, tc.want)
		}
	}
}

func TestParamsFromJSON(t *testing.T) {
	raw := map[string]json.RawMessage{"Bucket": json.RawMessage(`"b"`), "max-items": json.RawMessage(`5`),
		"dry-run": json.RawMessage(`null`), "filters": json.RawMessage(`[ {"Name": "x"} ]`)}
	got, err := ParamsFromJSON(raw)
	want := map[string]string{"bucket": "b", "max-items": "5", "dry-run": "", "filters": `[{"Name":"x"}]`}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParamsFromJSON = %v, %v; want %v", got, err, want)
	}
	if _, err := ParamsFromJSON(map[string]json.RawMessage{"x": json.RawMessage(`"unterminated`)}); err == nil {
		t.Error("bad JSON must fail")
	}
}

// Every spelling of an option reaches the same CLI option; two spellings
// in one call are an error naming both, never judged on one and run with
// the other.
func TestParamsFromJSONSpellings(t *testing.T) {
	spellings := []string{"BucketName", "bucket_name", "bucket-name", "--bucket-name", "bucketName", "-bucket-name", "BUCKET_NAME", "bucket__name"}
	for _, k := range spellings {
		got, err := ParamsFromJSON(map[string]json.RawMessage{k: json.RawMessage(`"b"`)})
		if err != nil || len(got) != 1 || got["bucket-name"] != "b" {
			t.Errorf("%q: %v, %v; want bucket-name", k, got, err)
		}
	}
	for i, a := range spellings {
		for _, b := range spellings[i+1:] {
			_, err := ParamsFromJSON(map[string]json.RawMessage{a: json.RawMessage(`"allowed"`), b: json.RawMessage(`"other"`)})
			if err == nil || !strings.Contains(err.Error(), strconv.Quote(a)) || !strings.Contains(err.Error(), strconv.Quote(b)) ||
				!strings.Contains(err.Error(), "--bucket-name") {
				t.Errorf("%q and %q: err %v, want one naming both", a, b, err)
			}
		}
	}
	for _, bad := range []string{"", "--", "a=b", "x y\n", "é", "a/b"} {
		if _, err := ParamsFromJSON(map[string]json.RawMessage{bad: json.RawMessage(`"v"`)}); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

func TestOptionName(t *testing.T) {
	for in, want := range map[string]string{
		"TableName":              "table-name",
		"table-name":             "table-name",
		"KeyConditionExpression": "key-condition-expression",
		"DBInstanceIdentifier":   "db-instance-identifier",
		"SSEKMSKeyId":            "ssekms-key-id",
		"Ipv6CidrBlock":          "ipv6-cidr-block",
		"max_items":              "max-items",
		"--no-paginate":          "no-paginate",
		"bucket":                 "bucket",
		"S3Key":                  "s3-key",
		"endpointUrl":            "endpoint-url",
	} {
		if got, err := OptionName(in); got != want || err != nil {
			t.Errorf("OptionName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
