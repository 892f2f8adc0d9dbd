// Package model defines the provider-neutral conversation types and the
// Provider interface that the bedrock, openai and anthropic adapters implement.
package model

import (
	"context"
	"encoding/json"
)

// Role says who wrote a message.
type Role string

// The two conversation roles. System text travels in Request.System.
const (
	User      Role = "user"
	Assistant Role = "assistant"
)

// BlockType names the kind of a content block.
type BlockType string

// Content block kinds.
const (
	TextBlock       BlockType = "text"
	ToolUseBlock    BlockType = "tool_use"
	ToolResultBlock BlockType = "tool_result"
	ImageBlock      BlockType = "image"
)

// Block is one piece of message content. Which fields are set depends on Type.
type Block struct {
	Type BlockType `json:"type"`
	Text string    `json:"text,omitempty"`

	// ToolUseID links a tool_use block to its tool_result block.
	ToolUseID string `json:"toolUseId,omitempty"`
	// Name is the tool name of a tool_use block.
	Name string `json:"name,omitempty"`
	// Input is the tool input of a tool_use block. It is always valid JSON
	// (an object); when the model sent malformed JSON, Input is {} and
	// RawInput holds what the model sent, so the agent can report it.
	Input    json.RawMessage `json:"input,omitempty"`
	RawInput string          `json:"rawInput,omitempty"`

	// IsError marks a tool_result block that reports a failure.
	IsError bool `json:"isError,omitempty"`
	// Content holds the blocks of a tool_result (text and images).
	Content []Block `json:"content,omitempty"`

	// MediaType and Data hold an image (image/png, image/jpeg, image/gif, image/webp).
	MediaType string `json:"mediaType,omitempty"`
	Data      []byte `json:"data,omitempty"`
}

// Message is one turn of the conversation.
type Message struct {
	Role    Role    `json:"role"`
	Content []Block `json:"content"`
}

// Text returns the concatenated text blocks of m.
func (m Message) Text() string {
	var s string
	for _, b := range m.Content {
		if b.Type == TextBlock {
			s += b.Text
		}
	}
	return s
}

// ToolUses returns the tool_use blocks of m, in order.
func (m Message) ToolUses() []Block {
	var out []Block
	for _, b := range m.Content {
		if b.Type == ToolUseBlock {
			out = append(out, b)
		}
	}
	return out
}

// ToolSpec describes a tool to the model.
type ToolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// Request is one model call.
type Request struct {
	// Model is the provider's own model id (without the "provider/" prefix).
	Model     string
	System    string
	Messages  []Message
	Tools     []ToolSpec
	MaxTokens int
}

// StopReason says why the model stopped.
type StopReason string

// Stop reasons, normalised across providers.
const (
	StopEndTurn   StopReason = "end_turn"
	StopToolUse   StopReason = "tool_use"
	StopMaxTokens StopReason = "max_tokens"
)

// Usage is the token count of one model call.
type Usage struct {
	InputTokens  int `json:"inputTokens"`
	OutputTokens int `json:"outputTokens"`
	// Estimated is true when the provider reported nothing and the counts
	// were estimated from the text.
	Estimated bool `json:"estimated,omitempty"`
}

// Response is the assembled result of a streamed model call.
type Response struct {
	Message    Message
	StopReason StopReason
	Usage      Usage
}

// EventType names a streaming event.
type EventType int

// Streaming events delivered while a response arrives.
const (
	// EventText carries a piece of assistant text in Event.Text.
	EventText EventType = iota
	// EventToolUse announces that the model started a tool call (Event.Name, Event.ToolUseID).
	EventToolUse
	// EventRetry reports a failed attempt that will be retried (Event.Err,
	// Event.Attempt, Event.Attempts, Event.Wait).
	EventRetry
)

// Event is one streaming notification.
type Event struct {
	Type      EventType
	Text      string
	Name      string
	ToolUseID string
	Attempt   int
	Wait      float64 // seconds until the next attempt
	Err       error
	// Attempts is the most attempts the failure gets, the first included;
	// 0 when unknown.
	Attempts int
}

// Provider streams model responses. Implementations must be safe for use by
// one goroutine at a time; Stream must return promptly when ctx is cancelled.
type Provider interface {
	// Name is the provider prefix used in model references ("openai", "bedrock", "anthropic").
	Name() string
	// Stream sends req and calls onEvent as the answer arrives. On error the
	// returned Response, if not nil, holds what was received before the failure.
	Stream(ctx context.Context, req *Request, onEvent func(Event)) (*Response, error)
}
