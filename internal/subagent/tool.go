// Package subagent is the use_subagent tool: the model hands tasks to
// other agents, which run in parallel (at most MaxParallel at once), each
// in a fresh conversation with the task, the tools of its agent file and
// its permissions. Their final answers come back as the tool's result.
//
// A subagent can never do what its parent session may not. Every call it
// makes is judged by the parent session's permissions as they stand (the
// organisation's managed layer and IAM policies, the parent agent's file,
// the launch flags and the trust given this session) and by its own agent
// file, and the stricter verdict wins (see Permissions). The parent's
// toolsSettings.use_subagent trustedAgents only lets a subagent start
// without asking; it does not widen what the subagent's calls may do.
//
// The session that owns the parent supplies the agents through Builder;
// this package runs them, labels their output, asks their questions one
// at a time and stops them all together.
package subagent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// Name is the tool's name as the model sees it.
const Name = "use_subagent"

// The tool's commands, as the Kiro CLI names them.
const (
	CommandInvoke = "InvokeSubagents"
	CommandList   = "ListAgents"
)

// MaxParallel is how many subagents run at once, and how many tasks one
// call may hand out.
const MaxParallel = 4

// Task is one task the model hands to a subagent.
type Task struct {
	// Query is what the subagent is asked to do.
	Query string `json:"query"`
	// AgentName is the agent file the subagent runs as; empty means the
	// built-in default agent.
	AgentName string `json:"agent_name,omitempty"`
	// RelevantContext is what the parent knows that the task needs: the
	// subagent sees nothing of the parent's conversation.
	RelevantContext string `json:"relevant_context,omitempty"`
}

// Info describes an agent a task may name.
type Info struct {
	Name        string
	Description string
}

// Builder builds subagents under the parent session's governance. The
// session implements it; the Tool gives each child its permissions,
// hooks, display and questions.
type Builder interface {
	// Agents lists the agents a task may name, the default agent included.
	Agents() []Info
	// Child builds a fresh agent for agent file name, to run under label
	// (the name the user and the audit trail see). The agent has its
	// file's tools, prompt and context, the session's model and
	// environment, and records its calls on the session's audit trail
	// naming label; its Permissions, Hooks, Observer and Approve are left
	// to the Tool.
	Child(ctx context.Context, name, label string) (*Child, error)
}

// Child is a subagent as Builder makes it.
type Child struct {
	Agent *agent.Agent
	// Own is the permission layer of the child's agent file alone: its
	// allowedTools and toolsSettings, with the session's launch flags.
	Own agent.Permissions
	// Close, if set, releases what the child holds once it has finished.
	Close func()
}

// Tool is use_subagent.
type Tool struct {
	Builder Builder
	// Parent is the agent whose calls start subagents. Its permissions,
	// hooks and approval question are read when a call runs, so what the
	// user changed since (/tools, /agent swap) applies.
	Parent *agent.Agent
	// Parallel bounds how many subagents run at once; 0 means MaxParallel.
	Parallel int

	trusted trustList
}

// New returns the tool for parent, whose subagents b builds.
func New(b Builder, parent *agent.Agent) *Tool {
	return &Tool{Builder: b, Parent: parent}
}

var schema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "command": {"type": "string", "enum": ["InvokeSubagents", "ListAgents"],
      "description": "ListAgents lists the agents a subagent can run as; InvokeSubagents runs the tasks in content.subagents in parallel and returns each subagent's final answer."},
    "content": {"type": "object", "properties": {
      "subagents": {"type": "array", "minItems": 1, "maxItems": 4, "description": "The tasks, one subagent each.",
        "items": {"type": "object", "properties": {
          "query": {"type": "string", "description": "The complete task: the subagent sees nothing of this conversation."},
          "agent_name": {"type": "string", "description": "The agent to run as (ListAgents shows them); omit for the default agent."},
          "relevant_context": {"type": "string", "description": "Facts, paths and decisions from this conversation the task needs."}},
        "required": ["query"]}}}}
  },
  "required": ["command"]
}`)

// Spec describes the tool to the model.
func (t *Tool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: Name, InputSchema: schema, Description: "Hand tasks to subagents: other agents that each work in a fresh " +
		"conversation with their own tools and permissions, up to 4 at once in parallel, and return their final answers. Use it for independent " +
		"pieces of work (research, reviews, changes in separate areas) that would otherwise fill this conversation. Give each task everything it needs: " +
		"a subagent cannot see this conversation or the other subagents. Its tool calls may need the user's approval like yours."}
}

// input is the tool's JSON input.
type input struct {
	Command string `json:"command"`
	Content struct {
		Subagents []Task `json:"subagents"`
	} `json:"content"`
}

// task is a validated Task with the agent it runs as and its label.
type task struct {
	Task
	agent, label string
}

// Prepare checks the call: a known command, one to MaxParallel tasks
// with a query each, and agents that exist.
func (t *Tool) Prepare(_ *tool.Env, raw json.RawMessage) (tool.Invocation, error) {
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("the input must be an object with command and content.subagents: %v", err)
	}
	switch in.Command {
	case CommandList:
		return &invocation{t: t, list: true}, nil
	case CommandInvoke:
	default:
		return nil, fmt.Errorf("command must be %s or %s, not %q", CommandInvoke, CommandList, in.Command)
	}
	n := len(in.Content.Subagents)
	if n == 0 || n > MaxParallel {
		return nil, fmt.Errorf("content.subagents must hold 1 to %d tasks, not %d; hand out more in a later call", MaxParallel, n)
	}
	var known []string
	for _, a := range t.Builder.Agents() {
		known = append(known, a.Name)
	}
	inv := &invocation{t: t}
	uses := map[string]int{}
	for i, st := range in.Content.Subagents {
		if strings.TrimSpace(st.Query) == "" {
			return nil, fmt.Errorf("content.subagents[%d].query is empty", i)
		}
		name := strings.TrimSpace(st.AgentName)
		if name == "" {
			name = agentcfg.DefaultName
		}
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("content.subagents[%d].agent_name: no agent named %q (known: %s)", i, name, strings.Join(known, ", "))
		}
		uses[name]++
		label := name
		if uses[name] > 1 {
			label = fmt.Sprintf("%s#%d", name, uses[name])
		}
		inv.tasks = append(inv.tasks, task{Task: st, agent: name, label: label})
	}
	return inv, nil
}

// invocation is one validated use_subagent call.
type invocation struct {
	t     *Tool
	list  bool
	tasks []task
}

// Access names the agents the call starts; listing them starts none and
// is always allowed.
func (inv *invocation) Access() tool.Access {
	if inv.list {
		return tool.Access{AlwaysAllowed: true}
	}
	var agents []string
	for _, tk := range inv.tasks {
		if !slices.Contains(agents, tk.agent) {
			agents = append(agents, tk.agent)
		}
	}
	return tool.Access{Agents: agents}
}

// Describe lists the tasks, one line each, for the approval question.
func (inv *invocation) Describe(w io.Writer, _ bool) {
	if inv.list {
		fmt.Fprintln(w, "List the agents a subagent can run as")
		return
	}
	fmt.Fprintf(w, "Start %d subagent(s):\n", len(inv.tasks))
	for _, tk := range inv.tasks {
		fmt.Fprintf(w, "  %s: %s\n", tk.label, clip(tk.Query, 200))
	}
}

// Run lists the agents or runs the tasks.
func (inv *invocation) Run(ctx context.Context, out io.Writer) tool.Result {
	if inv.list {
		return inv.t.listAgents()
	}
	return inv.t.invoke(ctx, out, inv.tasks)
}

// listAgents lists the agents the parent may start, as its availableAgents
// and the managed layer say.
func (t *Tool) listAgents() tool.Result {
	var b strings.Builder
	for _, a := range t.Builder.Agents() {
		if t.Parent.Permissions() == nil {
			break
		}
		if d := t.Parent.Permissions().Decide(Name, "", tool.Access{Agents: []string{a.Name}}); d.Kind == permission.Deny {
			continue
		}
		fmt.Fprintf(&b, "- %s", a.Name)
		if a.Description != "" {
			fmt.Fprintf(&b, ": %s", oneLine(a.Description))
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return tool.ErrorResult("No agent may be started as a subagent here.")
	}
	return tool.TextResult("Agents a subagent can run as:\n" + b.String())
}

// errNoPermissions refuses to run a child whose parent has no permission
// layer to bound it.
var errNoPermissions = errors.New("the parent session has no permissions to run subagents under")

// clip shortens s to its first line of at most n bytes.
func clip(s string, n int) string {
	s = oneLine(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// oneLine folds runs of white space, newlines included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
