package model

import (
	"bytes"
	"encoding/json"
	"strings"
)

// EstimateTokens estimates the token count of text the way the Q CLI does:
// four bytes a token. It is used only where a provider reports nothing.
func EstimateTokens(text string) int {
	return (len(text) + 3) / 4
}

// EstimateMessages estimates the tokens of a request's messages, system
// prompt and tool specifications.
func EstimateMessages(system string, msgs []Message, tools []ToolSpec) int {
	n := EstimateTokens(system)
	for _, m := range msgs {
		n += estimateBlocks(m.Content)
	}
	for _, t := range tools {
		n += EstimateTokens(t.Name) + EstimateTokens(t.Description) + EstimateTokens(string(t.InputSchema))
	}
	return n
}

func estimateBlocks(blocks []Block) int {
	n := 0
	for _, b := range blocks {
		switch b.Type {
		case TextBlock:
			n += EstimateTokens(b.Text)
		case ToolUseBlock:
			n += EstimateTokens(b.Name) + EstimateTokens(string(b.Input)) + EstimateTokens(b.RawInput)
		case ToolResultBlock:
			n += estimateBlocks(b.Content)
		case ImageBlock:
			// Providers bill images by pixels; ~1,600 tokens is a typical screenshot.
			n += 1600
		}
	}
	return n
}

// ContextWindow returns the input window, in tokens, of a model id. It knows
// the common families and falls back to 128k, the smallest window of the
// current frontier models, so that compaction errs on the early side.
func ContextWindow(modelID string) int {
	id := strings.ToLower(modelID)
	switch {
	case strings.Contains(id, "claude"):
		return 200_000
	case strings.Contains(id, "gpt-4.1"), strings.Contains(id, "gemini"):
		return 1_000_000
	case strings.Contains(id, "gpt-5"):
		return 400_000
	case strings.Contains(id, "gpt-4o"), strings.Contains(id, "o1"), strings.Contains(id, "o3"), strings.Contains(id, "o4"):
		return 128_000
	case strings.Contains(id, "nova-pro"), strings.Contains(id, "nova-lite"):
		return 300_000
	case strings.Contains(id, "llama"), strings.Contains(id, "qwen"), strings.Contains(id, "mistral"):
		return 32_000
	}
	return 128_000
}

// CloneMessages returns a deep-enough copy of msgs for safe reuse across
// goroutines: slices are copied, immutable byte payloads shared.
func CloneMessages(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = Message{Role: m.Role, Content: append([]Block(nil), m.Content...)}
	}
	return out
}

// EstimateUsage estimates the usage of a call whose provider reported none.
func EstimateUsage(req *Request, out Message) Usage {
	return Usage{InputTokens: EstimateMessages(req.System, req.Messages, req.Tools),
		OutputTokens: EstimateMessages("", []Message{out}, nil), Estimated: true}
}

// ToolUse builds a tool_use block whose Input is always a JSON object:
// malformed or non-object input becomes {} and is kept in RawInput, so the
// agent can tell the model what was wrong; empty input is simply {}.
func ToolUse(id, name, raw string) Block {
	b := Block{Type: ToolUseBlock, ToolUseID: id, Name: name, Input: json.RawMessage(`{}`)}
	trimmed := strings.TrimSpace(raw)
	switch {
	case trimmed == "":
	case strings.HasPrefix(trimmed, "{") && json.Valid([]byte(trimmed)):
		var buf bytes.Buffer
		_ = json.Compact(&buf, []byte(trimmed))
		b.Input = json.RawMessage(buf.Bytes())
	default:
		b.RawInput = raw
	}
	return b
}
