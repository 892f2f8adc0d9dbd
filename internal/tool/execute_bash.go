package tool

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/model"
)

// ShellEnvVar names the variable that replaces bash as the shell, as in
// the original (util/env_var.rs).
const ShellEnvVar = "AMAZON_Q_CHAT_SHELL"

const executeBashSchema = `{
  "type": "object",
  "properties": {
    "command": {
      "type": "string",
      "description": "Bash command to execute"
    },
    "summary": {
      "type": "string",
      "description": "A brief explanation of what the command does"
    },
    "timeout_seconds": {
      "type": "integer",
      "description": "Optional: seconds after which the command and all its child processes are killed (default 120, at most 3600). Raise it for long builds or test runs."
    }
  },
  "required": ["command"]
}`

// ExecuteBash is the execute_bash tool: it runs a shell command in the
// session's working directory and returns its exit status and output.
type ExecuteBash struct {
	// DefaultTimeout replaces DefaultCommandTimeout when not zero.
	DefaultTimeout time.Duration
}

// Spec returns the original's name and schema plus timeout_seconds.
func (ExecuteBash) Spec() model.ToolSpec {
	return model.ToolSpec{
		Name: "execute_bash",
		Description: "Execute the specified bash command. The command runs in the current working directory " +
			"with no terminal input; it is killed after timeout_seconds (default 120).",
		InputSchema: json.RawMessage(executeBashSchema),
	}
}

type executeBashInput struct {
	Command        string   `json:"command"`
	Summary        string   `json:"summary"`
	TimeoutSeconds *float64 `json:"timeout_seconds"`
}

// Prepare checks that command is present and timeout_seconds in range.
func (t ExecuteBash) Prepare(env *Env, input json.RawMessage) (Invocation, error) {
	var in executeBashInput
	if err := decodeInput("execute_bash", input, &in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Command) == "" {
		return nil, fmt.Errorf("execute_bash: command is required")
	}
	timeout := t.DefaultTimeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	if in.TimeoutSeconds != nil {
		s := *in.TimeoutSeconds
		if s <= 0 || s > MaxCommandTimeout.Seconds() {
			return nil, fmt.Errorf("execute_bash: timeout_seconds must be between 1 and %d, not %g", int(MaxCommandTimeout.Seconds()), s)
		}
		timeout = time.Duration(s * float64(time.Second))
	}
	return &bashCall{env: env, in: in, timeout: timeout}, nil
}

type bashCall struct {
	env     *Env
	in      executeBashInput
	timeout time.Duration
}

func (c *bashCall) Access() Access { return Access{Command: c.in.Command} }

func (c *bashCall) Describe(w io.Writer, color bool) {
	var b strings.Builder
	b.WriteString("I will run the following shell command: \n")
	b.WriteString(paint(color, ansiGreen, c.in.Command))
	b.WriteString("\n")
	writePurpose(&b, c.in.Summary, color)
	io.WriteString(w, b.String())
}

func (c *bashCall) Run(ctx context.Context, out io.Writer) Result {
	start := time.Now()
	if err := checkWorkDir(c.env, "execute_bash"); err != nil {
		return ErrorResult(err.Error())
	}
	environ := childEnviron(c.env)
	shell := "bash"
	if v, ok := envValue(environ, ShellEnvVar); ok && strings.TrimSpace(v) != "" {
		shell = strings.TrimSpace(v)
	}
	shellPath, err := lookPathIn(shell, environ)
	if err != nil {
		return ErrorResult(fmt.Sprintf("execute_bash: cannot find the shell %q: %v", shell, err))
	}
	if environ, err = withCredentials(ctx, c.env, environ); err != nil {
		r := ErrorResult(err.Error())
		r.Duration = time.Since(start)
		return r
	}
	res, err := runProcess(ctx, procSpec{
		path:    shellPath,
		args:    []string{"-c", c.in.Command},
		dir:     workDir(c.env),
		env:     environ,
		timeout: c.timeout,
		live:    out,
		sandbox: sandboxOf(c.env),
	})
	if err != nil {
		r := ErrorResult(fmt.Sprintf("execute_bash: cannot start %s: %v", shell, err))
		r.Duration = time.Since(start)
		return r
	}
	body := marshalJSON(commandOutput{
		ExitStatus: strconv.Itoa(res.exitCode),
		Stdout:     res.stdout.Text(maxStreamLines),
		Stderr:     res.stderr.Text(maxStreamLines),
	})
	var r Result
	switch {
	case res.timedOut:
		r = ErrorResult(fmt.Sprintf("command timed out after %s and was killed; partial output:\n%s", formatSeconds(c.timeout), body))
	case res.cancelled:
		r = ErrorResult("command was cancelled and killed; partial output:\n" + body)
	default:
		// A non-zero exit is information for the model, not a tool failure.
		r = TextResult(body)
	}
	r.ExitStatus = res.exitCode
	r.OutputBytes = res.outputBytes()
	r.Duration = time.Since(start)
	return r
}

func sandboxOf(env *Env) func(*exec.Cmd) (*exec.Cmd, error) {
	if env == nil {
		return nil
	}
	return env.Sandbox
}

// withCredentials applies env.Credentials, when set, to environ (see
// Env.Credentials). Its error is the one-line message for the tool result.
func withCredentials(ctx context.Context, env *Env, environ []string) ([]string, error) {
	if env == nil || env.Credentials == nil {
		return environ, nil
	}
	extra, err := env.Credentials(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials for AI-initiated calls are unavailable: %v", err)
	}
	drop := make(map[string]bool, len(extra))
	for _, kv := range extra {
		name, _, _ := strings.Cut(kv, "=")
		drop[name] = true
	}
	out := make([]string, 0, len(environ)+len(extra))
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); !drop[name] {
			out = append(out, kv)
		}
	}
	for _, kv := range extra {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
		}
	}
	return out, nil
}
