package tool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

const thinkingSchema = `{
  "type": "object",
  "properties": {
    "thought": {
      "type": "string",
      "description": "A reflective note or intermediate reasoning step such as \"The user needs to prepare their application for production. I need to complete three major asks including 1: building their code from source, 2: bundling their release artifacts together, and 3: signing the application bundle."
    }
  },
  "required": ["thought"]
}`

// Thinking is the thinking tool: a scratchpad that lets the model reason in
// steps. It does nothing but acknowledge.
type Thinking struct{}

// Spec returns the original's name, description and schema.
func (Thinking) Spec() model.ToolSpec {
	return model.ToolSpec{
		Name: "thinking",
		Description: "Thinking is an internal reasoning mechanism improving the quality of complex tasks by breaking their atomic actions down; " +
			"use it specifically for multi-step problems requiring step-by-step dependencies, reasoning through multiple constraints, " +
			"synthesizing results from previous tool calls, planning intricate sequences of actions, troubleshooting complex errors, " +
			"or making decisions involving multiple trade-offs. Avoid using it for straightforward tasks, basic information retrieval, " +
			"summaries, always clearly define the reasoning challenge, structure thoughts explicitly, consider multiple perspectives, " +
			"and summarize key insights before important decisions or complex tool interactions.",
		InputSchema: json.RawMessage(thinkingSchema),
	}
}

// Prepare requires a non-empty thought.
func (Thinking) Prepare(_ *Env, input json.RawMessage) (Invocation, error) {
	var in struct {
		Thought string `json:"thought"`
	}
	if err := decodeInput("thinking", input, &in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Thought) == "" {
		return nil, errors.New("thinking: thought is required")
	}
	return thinkingCall{thought: in.Thought}, nil
}

type thinkingCall struct{ thought string }

func (thinkingCall) Access() Access { return Access{AlwaysAllowed: true} }

func (c thinkingCall) Describe(w io.Writer, color bool) {
	fmt.Fprintf(w, "%s %s\n", paint(color, ansiCyan, "Thinking:"), c.thought)
}

func (thinkingCall) Run(context.Context, io.Writer) Result {
	return TextResult("Thought recorded. Continue with the next step.")
}
