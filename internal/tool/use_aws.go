package tool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/model"
)

const useAWSSchema = `{
  "type": "object",
  "properties": {
    "service_name": {
      "type": "string",
      "description": "The name of the AWS service. If you want to query s3, you should use s3api if possible."
    },
    "operation_name": {
      "type": "string",
      "description": "The name of the operation to perform."
    },
    "parameters": {
      "type": "object",
      "description": "The parameters for the operation. The parameter keys MUST conform to the AWS CLI specification. You should prefer to use JSON Syntax over shorthand syntax wherever possible. For parameters that are booleans, prioritize using flags with no value. Denote these flags with flag names as key and an empty string as their value. You should also prefer kebab case."
    },
    "region": {
      "type": "string",
      "description": "Region name for calling the operation on AWS."
    },
    "profile_name": {
      "type": "string",
      "description": "Optional: AWS profile name to use from ~/.aws/credentials. Only set this when the user asked for a specific profile; otherwise omit it so the user's default credentials are used."
    },
    "label": {
      "type": "string",
      "description": "Human readable description of the api that is being called."
    }
  },
  "required": ["region", "service_name", "operation_name", "label"]
}`

// globalAWSOptions may not be passed as parameters: they would override
// the region and profile the permission layer judged, or the endpoint and
// TLS checks, from behind its back.
var globalAWSOptions = map[string]bool{
	"region": true, "profile": true, "endpoint-url": true,
	"ca-bundle": true, "no-verify-ssl": true,
}

// UseAWS is the use_aws tool: it runs one AWS CLI operation with the
// external `aws` program.
type UseAWS struct {
	// Timeout replaces DefaultCommandTimeout when not zero.
	Timeout time.Duration
}

// Spec returns the original's name and schema.
func (UseAWS) Spec() model.ToolSpec {
	return model.ToolSpec{
		Name: "use_aws",
		Description: "Make an AWS CLI api call with the specified service, operation, and parameters. " +
			"All arguments MUST conform to the AWS CLI specification. Should the output of the invocation " +
			"indicate a malformed command, invoke help to obtain the the correct command.",
		InputSchema: json.RawMessage(useAWSSchema),
	}
}

type useAWSInput struct {
	ServiceName   string                     `json:"service_name"`
	OperationName string                     `json:"operation_name"`
	Parameters    map[string]json.RawMessage `json:"parameters"`
	Region        string                     `json:"region"`
	ProfileName   string                     `json:"profile_name"`
	Label         string                     `json:"label"`
}

// Prepare validates the names and builds the aws argument list.
func (t UseAWS) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in useAWSInput
	if err := decodeInput("use_aws", input, &in); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, val string }{
		{"service_name", in.ServiceName}, {"operation_name", in.OperationName}, {"region", in.Region},
	} {
		if strings.TrimSpace(f.val) == "" {
			return nil, fmt.Errorf("use_aws: %s is required", f.name)
		}
		if strings.HasPrefix(f.val, "-") || strings.ContainsAny(f.val, " \t\n") {
			return nil, fmt.Errorf("use_aws: %s %q must be a single word that does not start with '-'", f.name, f.val)
		}
	}
	if strings.HasPrefix(in.ProfileName, "-") || strings.ContainsAny(in.ProfileName, " \t\n") {
		return nil, fmt.Errorf("use_aws: profile_name %q must be a single word that does not start with '-'", in.ProfileName)
	}
	if in.ProfileName != "" && env != nil && env.Credentials != nil {
		// The AWS CLI ignores credentials in the environment when --profile
		// is given, so the call would run unattributed.
		return nil, fmt.Errorf("use_aws: profile_name %q cannot be used: AI-initiated AWS calls run with the attribution role's credentials (managed setting aws.attributionRoleArn); omit profile_name", in.ProfileName)
	}
	params, err := awsParameters(in.Parameters)
	if err != nil {
		return nil, err
	}
	args := []string{"--region", in.Region}
	if in.ProfileName != "" {
		args = append(args, "--profile", in.ProfileName)
	}
	args = append(args, in.ServiceName, in.OperationName)
	args = append(args, params...)
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	return &awsCall{env: env, in: in, args: args, timeout: timeout}, nil
}

// awsParameters turns the parameters object into CLI arguments, sorted by
// name so the command line is deterministic: "--flag value", the value a
// string as is or any other JSON value as JSON text, and a bare "--flag"
// for an empty string (a boolean switch).
func awsParameters(params map[string]json.RawMessage) ([]string, error) {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	var args []string
	for _, name := range names {
		flagName := kebabCase(strings.TrimLeft(name, "-"))
		if flagName == "" {
			return nil, fmt.Errorf("use_aws: parameter name %q is not a flag name", name)
		}
		if globalAWSOptions[flagName] {
			return nil, fmt.Errorf("use_aws: parameter %q is a global AWS CLI option; use the region and profile_name fields instead", name)
		}
		flag := "--" + flagName
		raw := bytes.TrimSpace(params[name])
		var value string
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &value); err != nil {
				return nil, fmt.Errorf("use_aws: parameter %q: %v", name, err)
			}
		} else if len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				return nil, fmt.Errorf("use_aws: parameter %q: %v", name, err)
			}
			value = compact.String()
		}
		switch {
		case value == "":
			args = append(args, flag)
		case strings.HasPrefix(value, "-"):
			// A value that looks like a flag must be attached, or the
			// CLI's parser takes it for one.
			args = append(args, flag+"="+value)
		default:
			args = append(args, flag, value)
		}
	}
	return args, nil
}

// kebabCase converts a parameter name to the CLI's flag spelling the way
// botocore's xform_name does ("TableName" → "table-name", "DBInstanceId" →
// "db-instance-id", "Ipv6CidrBlock" → "ipv6-cidr-block"); names already in
// kebab case are unchanged. Unlike the original's convert_case, digits are
// not word boundaries, because the CLI's own flags keep them attached.
func kebabCase(s string) string {
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

type awsCall struct {
	env     *Env
	in      useAWSInput
	args    []string
	timeout time.Duration
}

func (c *awsCall) Access() Access {
	return Access{
		AWSService:   c.in.ServiceName,
		AWSOperation: c.in.OperationName,
		AWSRegion:    c.in.Region,
		AWSProfile:   c.in.ProfileName,
		// The parameters themselves, for deriving resources.
		AWSParameters: c.in.Parameters,
	}
}

func (c *awsCall) Describe(w io.Writer, color bool) {
	var b strings.Builder
	b.WriteString("Running aws cli command:\n\n")
	fmt.Fprintf(&b, "Service name: %s\n", paint(color, ansiGreen, c.in.ServiceName))
	fmt.Fprintf(&b, "Operation name: %s\n", paint(color, ansiGreen, c.in.OperationName))
	if len(c.in.Parameters) > 0 {
		b.WriteString("Parameters: \n")
		names := make([]string, 0, len(c.in.Parameters))
		for name := range c.in.Parameters {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(&b, "- %s: %s\n", name, paint(color, ansiGreen, string(bytes.TrimSpace(c.in.Parameters[name]))))
		}
	}
	if c.in.ProfileName != "" {
		fmt.Fprintf(&b, "Profile name: %s\n", paint(color, ansiGreen, c.in.ProfileName))
	} else {
		b.WriteString("Profile name: default\n")
	}
	fmt.Fprintf(&b, "Region: %s\n", paint(color, ansiGreen, c.in.Region))
	if c.in.Label != "" {
		fmt.Fprintf(&b, "Label: %s\n", paint(color, ansiGreen, c.in.Label))
	}
	io.WriteString(w, b.String())
}

// Args returns the argument list passed to aws, for tests and audit.
func (c *awsCall) Args() []string { return append([]string(nil), c.args...) }

func (c *awsCall) Run(ctx context.Context, _ io.Writer) Result {
	start := time.Now()
	environ := childEnviron(c.env)
	awsPath, err := lookPathIn("aws", environ)
	if err != nil {
		return ErrorResult("use_aws: the AWS CLI (aws) is not installed or not on PATH; install it or use another way to reach AWS")
	}
	if environ, err = withCredentials(ctx, c.env, environ); err != nil {
		r := ErrorResult(err.Error())
		r.Duration = time.Since(start)
		return r
	}
	res, err := runProcess(ctx, procSpec{
		path:    awsPath,
		args:    c.args,
		dir:     workDir(c.env),
		env:     environ,
		timeout: c.timeout,
	})
	if err != nil {
		return ErrorResult(fmt.Sprintf("use_aws: cannot start aws: %v", err))
	}
	stdout, stderr := res.stdout.Text(maxStreamLines), res.stderr.Text(maxStreamLines)
	var r Result
	switch {
	case res.timedOut:
		r = ErrorResult(fmt.Sprintf("aws command timed out after %s and was killed\n%s", formatSeconds(c.timeout), stderr))
	case res.cancelled:
		r = ErrorResult("aws command was cancelled and killed\n" + stderr)
	case res.exitCode != 0:
		msg := stderr
		if strings.TrimSpace(msg) == "" {
			msg = fmt.Sprintf("aws exited with status %d", res.exitCode)
		}
		r = ErrorResult(msg)
	default:
		r = TextResult(marshalJSON(commandOutput{ExitStatus: strconv.Itoa(res.exitCode), Stdout: stdout, Stderr: stderr}))
	}
	r.ExitStatus = res.exitCode
	r.OutputBytes = res.outputBytes()
	r.Duration = time.Since(start)
	return r
}
