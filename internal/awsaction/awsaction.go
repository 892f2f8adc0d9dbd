// Package awsaction maps AWS CLI invocations to the IAM actions and
// resources they need, so a governance layer can judge a call before it
// runs. The mapping is a table of the CLI's service and operation names
// and of the S3 conventions; where a resource cannot be derived it is ""
// (unknown), which the iam package evaluates fail-closed.
package awsaction

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Call is one AWS CLI invocation: `aws [--region R] SERVICE OPERATION
// [--param value…] [ARGS…]`.
type Call struct {
	// Service is the CLI service name as typed ("s3api", "s3", "ec2",
	// "stepfunctions"), not the IAM prefix.
	Service string
	// Operation is the CLI operation in kebab case ("delete-object", "cp").
	Operation string
	// Params maps option names to values. Names may be spelled as the CLI
	// flag ("--copy-source"), in kebab case or in the API's PascalCase
	// ("CopySource"); a switch has the value "".
	Params map[string]string
	// Args are positional arguments (the high-level `aws s3` commands).
	Args []string
	// Region and Profile are the global options, "" when not given.
	Region  string
	Profile string
}

// Access is one IAM authorisation a call needs.
type Access struct {
	// Action is "prefix:Operation", e.g. "s3:DeleteObject".
	Action string
	// Resource is the target ARN, "*" for an action without resource-level
	// permissions, or "" when it cannot be derived from the call.
	Resource string
}

// Resolve returns the IAM authorisations the call needs, in the order the
// CLI would use them. Calls that reach no AWS API (aws configure, help)
// need none. It fails when the call is malformed in a way that leaves its
// meaning unclear (no service, an `aws s3` command with the wrong
// arguments, an unknown `aws s3` command): callers should then treat the
// call as unjudgeable.
func Resolve(c Call) ([]Access, error) {
	svc := strings.ToLower(strings.TrimSpace(c.Service))
	op := kebab(strings.TrimSpace(c.Operation))
	if svc == "" || op == "" {
		return nil, errors.New("awsaction: the call has no service or operation")
	}
	if localOnly[svc] || op == "help" {
		return nil, nil
	}
	params := normalizeParams(c.Params)
	part := partition(c.Region)
	switch svc {
	case "s3":
		return resolveS3(op, c.Args, params, part)
	case "s3api":
		return resolveS3API(op, params, part), nil
	}
	prefix := IAMPrefix(svc)
	if names, ok := operationOverrides[svc+" "+op]; ok {
		out := make([]Access, len(names))
		for i, n := range names {
			out[i] = Access{Action: prefix + ":" + n}
		}
		return out, nil
	}
	return []Access{{Action: prefix + ":" + ActionName(op)}}, nil
}

// localOnly are CLI commands that call no AWS API.
var localOnly = map[string]bool{"configure": true, "history": true, "cli-dev": true, "help": true}

// ActionName converts a CLI operation name to the API operation name that
// IAM actions use: "describe-instances" → "DescribeInstances". Names
// already in PascalCase or snake_case are accepted too.
func ActionName(op string) string {
	var b strings.Builder
	for _, w := range strings.Split(kebab(op), "-") {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]))
		b.WriteString(w[1:])
	}
	return b.String()
}

// IAMPrefix returns the IAM service prefix for a CLI service name; most
// are the same ("ec2" → "ec2"), a few differ ("s3api" → "s3", "elbv2" →
// "elasticloadbalancing", "stepfunctions" → "states").
func IAMPrefix(service string) string {
	s := strings.ToLower(service)
	if p, ok := servicePrefixes[s]; ok {
		return p
	}
	return s
}

// servicePrefixes lists the CLI service names whose IAM prefix differs.
var servicePrefixes = map[string]string{
	"s3api": "s3", "s3": "s3", "s3control": "s3",
	"stepfunctions": "states", "elb": "elasticloadbalancing", "elbv2": "elasticloadbalancing",
	"configservice": "config", "opensearch": "es", "sesv2": "ses", "pinpoint-email": "ses",
	"dynamodbstreams": "dynamodb", "resourcegroupstaggingapi": "tag",
	"apigatewayv2": "apigateway", "apigatewaymanagementapi": "execute-api",
	"emr": "elasticmapreduce", "efs": "elasticfilesystem", "deploy": "codedeploy",
	"kinesisanalyticsv2": "kinesisanalytics", "sagemaker-runtime": "sagemaker",
	"bedrock-runtime": "bedrock", "bedrock-agent": "bedrock", "bedrock-agent-runtime": "bedrock",
	"iot-data": "iot", "iot-jobs-data": "iot", "mediastore-data": "mediastore",
	"lex-runtime": "lex", "lex-models": "lex", "lexv2-models": "lex", "lexv2-runtime": "lex",
	"cloudsearchdomain": "cloudsearch", "pinpoint": "mobiletargeting", "pinpoint-sms-voice": "sms-voice",
	"marketplace-entitlement": "aws-marketplace", "meteringmarketplace": "aws-marketplace",
	"connect-contact-lens": "connect", "sso-admin": "sso", "sso-oidc": "sso-oauth",
	"timestream-query": "timestream", "timestream-write": "timestream",
	"docdb": "rds", "neptune": "rds", "mturk": "mechanicalturk", "cloudhsmv2": "cloudhsm",
	"logs": "logs", "cloudwatch": "cloudwatch",
}

// operationOverrides maps "service operation" to the IAM action names
// where the CLI name is a customisation or differs from the API name.
var operationOverrides = map[string][]string{
	"lambda invoke":                 {"InvokeFunction"},
	"ecr get-login-password":        {"GetAuthorizationToken"},
	"ecr get-login":                 {"GetAuthorizationToken"},
	"ecr-public get-login-password": {"GetAuthorizationToken"},
	"codeartifact login":            {"GetAuthorizationToken"},
	"eks update-kubeconfig":         {"DescribeCluster"},
	"cloudformation deploy":         {"CreateChangeSet", "ExecuteChangeSet"},
	"logs tail":                     {"FilterLogEvents"},
}

// ParamsFromJSON converts a use_aws "parameters" object to Call.Params,
// keyed by the CLI option each key names (OptionName: "BucketName",
// "bucket_name", "bucketName" and "--bucket-name" all give "bucket-name"):
// strings as they are, other JSON values as compact JSON text, null as a
// switch. Two keys naming the same option are an error naming both, for
// the CLI would take one of them and a judge might read the other.
func ParamsFromJSON(raw map[string]json.RawMessage) (map[string]string, error) {
	out := make(map[string]string, len(raw))
	from := make(map[string]string, len(raw))
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		opt, err := OptionName(k)
		if err != nil {
			return nil, err
		}
		if first, dup := from[opt]; dup {
			return nil, fmt.Errorf("parameters %q and %q both set the option --%s; send it once", first, k, opt)
		}
		from[opt] = k
		v := bytes.TrimSpace(raw[k])
		switch {
		case len(v) == 0 || bytes.Equal(v, []byte("null")):
			out[opt] = ""
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("parameter %q: %v", k, err)
			}
			out[opt] = s
		default:
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				return nil, fmt.Errorf("parameter %q: %v", k, err)
			}
			out[opt] = b.String()
		}
	}
	return out, nil
}

// optionSyntax is an AWS CLI option name without its dashes.
var optionSyntax = regexp.MustCompile(`\A[a-z0-9]+(-[a-z0-9]+)*\z`)

// OptionName returns the AWS CLI option, without its leading dashes, that
// a parameter key names, normalised as the CLI derives its option names
// from the API's member names: "TableName", "table_name", "tableName",
// "table-name" and "--table-name" are all "table-name". A key that gives
// no valid option name ("", "--", "a=b", "x y\n") is an error.
func OptionName(key string) (string, error) {
	name := kebab(strings.TrimLeft(key, "-"))
	if !optionSyntax.MatchString(name) {
		return "", fmt.Errorf("parameter name %q is not an AWS CLI option name", key)
	}
	return name, nil
}

// normalizeParams keys the parameters by kebab-case name.
func normalizeParams(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[kebab(strings.TrimLeft(k, "-"))] = v
	}
	return out
}

// kebab converts a name to the CLI's spelling the way botocore's xform_name
// does: "CopySource", "copy_source", "copySource" and "copy-source" are
// "copy-source"; a new word starts at an upper-case letter after a
// lower-case letter or digit, or at one that starts a word after an
// acronym ("DBInstanceId" → "db-instance-id"). Digits are not word
// boundaries ("Ipv6CidrBlock" → "ipv6-cidr-block"), and runs of
// separators collapse into one dash.
func kebab(s string) string {
	r := []rune(s)
	var b strings.Builder
	isUpper := func(c rune) bool { return c >= 'A' && c <= 'Z' }
	isLower := func(c rune) bool { return c >= 'a' && c <= 'z' }
	isDigit := func(c rune) bool { return c >= '0' && c <= '9' }
	for i, c := range r {
		if c == '_' || c == ' ' || c == '-' {
			c = '-'
		} else if isUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && isLower(r[i+1])
			if isLower(prev) || isDigit(prev) || (isUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		if c == '-' && (b.Len() == 0 || strings.HasSuffix(b.String(), "-")) {
			continue
		}
		b.WriteRune(c)
	}
	return strings.ToLower(strings.TrimSuffix(b.String(), "-"))
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
