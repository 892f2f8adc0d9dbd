package tool

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/awsaction"
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
	params, err := awsaction.ParamsFromJSON(in.Parameters)
	if err != nil {
		return nil, fmt.Errorf("use_aws: %v", err)
	}
	if err := inlineParamFiles(params, workDir(env)); err != nil {
		return nil, err
	}
	flags, err := awsFlags(params)
	if err != nil {
		return nil, err
	}
	args := []string{"--region", in.Region}
	if in.ProfileName != "" {
		args = append(args, "--profile", in.ProfileName)
	}
	args = append(args, in.ServiceName, in.OperationName)
	args = append(args, flags...)
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	return &awsCall{env: env, in: in, params: params, args: args, timeout: timeout}, nil
}

type awsCall struct {
	env *Env
	in  useAWSInput
	// params are the parameters by CLI option, exactly what args pass.
	params  map[string]string
	args    []string
	timeout time.Duration
}

// Access gives the judges the parameters as the command line passes them,
// keyed by CLI option, so that what is judged is what runs.
func (c *awsCall) Access() Access {
	params := make(map[string]json.RawMessage, len(c.params))
	for k, v := range c.params {
		params[k], _ = json.Marshal(v) // a string always marshals
	}
	return Access{
		AWSService:    c.in.ServiceName,
		AWSOperation:  c.in.OperationName,
		AWSRegion:     c.in.Region,
		AWSProfile:    c.in.ProfileName,
		AWSParameters: params,
	}
}

func (c *awsCall) Describe(w io.Writer, color bool) {
	var b strings.Builder
	b.WriteString("Running aws cli command:\n\n")
	fmt.Fprintf(&b, "Service name: %s\n", paint(color, ansiGreen, c.in.ServiceName))
	fmt.Fprintf(&b, "Operation name: %s\n", paint(color, ansiGreen, c.in.OperationName))
	if len(c.params) > 0 {
		// The options as the CLI receives them, not as the model spelled
		// them: the user approves what runs.
		b.WriteString("Parameters: \n")
		names := make([]string, 0, len(c.params))
		for name := range c.params {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(&b, "- --%s: %s\n", name, paint(color, ansiGreen, c.params[name]))
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
	if err := checkWorkDir(c.env, "use_aws"); err != nil {
		return ErrorResult(err.Error())
	}
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
