// Package tool defines the built-in tools the model can call and the
// interface every tool, built-in or MCP, presents to the agent loop.
//
// A tool only does its job: permissions, hooks, policy, sandboxing and audit
// wrap it from the outside, using what Invocation.Access reports.
package tool

import (
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"time"

	"github.com/qdev/qdev/internal/knowledge"
	"github.com/qdev/qdev/internal/model"
)

// Tool is something the model can call.
type Tool interface {
	// Spec is the name, description and JSON schema shown to the model.
	Spec() model.ToolSpec
	// Prepare parses and validates input. A returned error is sent to the
	// model as an error tool result so it can correct the call.
	Prepare(env *Env, input json.RawMessage) (Invocation, error)
}

// Invocation is one validated call, ready to be judged and run.
type Invocation interface {
	// Access says what the call would touch, for the permission layer.
	Access() Access
	// Describe writes a human description of what the call will do (the
	// command, a coloured diff, the AWS operation) for the approval prompt.
	Describe(w io.Writer, color bool)
	// Run executes the call. Live output (a command's stdout) goes to out,
	// which may be io.Discard. Run must stop promptly when ctx is cancelled.
	Run(ctx context.Context, out io.Writer) Result
}

// Access describes what an invocation touches.
type Access struct {
	// ReadPaths are absolute paths the call reads.
	ReadPaths []string
	// WritePaths are absolute paths the call creates or modifies.
	WritePaths []string
	// Command is the shell command of execute_bash.
	Command string
	// AWSService and AWSOperation are set for use_aws (CLI names, e.g. "s3api", "list-buckets").
	AWSService   string
	AWSOperation string
	AWSRegion    string
	AWSProfile   string
	// AWSParameters are use_aws's parameters, from which the policy layer
	// derives the resources (bucket and object ARNs) a call touches.
	AWSParameters map[string]json.RawMessage
	// Agents are the agents a use_subagent call starts, by name, for the
	// agent's toolsSettings.use_subagent availableAgents and trustedAgents.
	Agents []string
	// AlwaysAllowed marks tools that only think, describe qdev or keep
	// notes (thinking, introspect, todo_list): the original allows them
	// always. report_issue writes a file, so it is not among them.
	AlwaysAllowed bool
}

// Result is what a call produced.
type Result struct {
	// Content is sent back to the model as the tool result.
	Content []model.Block
	IsError bool
	// ExitStatus is the process exit code for tools that run one, else 0.
	ExitStatus int
	// Duration is how long Run took.
	Duration time.Duration
	// OutputBytes is the size of the produced output before truncation.
	OutputBytes int64
	// Note, if set, is shown to the user with the result: what they need
	// to know whatever the model makes of Content (a file written for them).
	Note string
	// Interrupted reports that the user stopped the call in a way its
	// context does not show (Ctrl-C at a question a subagent asked): the
	// turn ends as if the context had been cancelled.
	Interrupted bool
}

// TextResult returns a successful result holding text.
func TextResult(text string) Result {
	return Result{Content: []model.Block{{Type: model.TextBlock, Text: text}}}
}

// ErrorResult returns a failed result holding msg.
func ErrorResult(msg string) Result {
	return Result{Content: []model.Block{{Type: model.TextBlock, Text: msg}}, IsError: true}
}

// Env is what tools may know about the session that calls them.
type Env struct {
	// Cwd is the session's working directory (absolute).
	Cwd string
	// Environ is the environment for child processes; it already carries the
	// AI marker (see ChildEnv).
	Environ []string
	// Transcript returns the conversation so far as text, for report_issue.
	Transcript func() string
	// DataDir is qdev's state directory ($XDG_DATA_HOME/qdev).
	DataDir string
	// Version is qdev's version, for introspect and report_issue.
	Version string
	// Sandbox, if set, confines the shell commands execute_bash starts: it
	// returns the command to run instead, or an error that refuses the run.
	Sandbox func(cmd *exec.Cmd) (*exec.Cmd, error)
	// Credentials, if set, returns extra environment for children that may
	// call AWS (execute_bash, use_aws), asked for right before each one
	// starts: "NAME=value" entries replace NAME, and a bare "NAME" (no '=')
	// unsets it. An error refuses the call; the process is not started.
	Credentials func(ctx context.Context) ([]string, error)
	// Knowledge is the active agent's knowledge bases, nil when
	// chat.enableKnowledge is off.
	Knowledge *knowledge.Store
}
