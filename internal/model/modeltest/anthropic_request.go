package modeltest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

// anRequest is the part of a Messages request the fake reads.
type anRequest struct {
	Model     string          `json:"model"`
	MaxTokens int             `json:"max_tokens"`
	Stream    bool            `json:"stream"`
	System    json.RawMessage `json:"system"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Tools []struct {
		Name string `json:"name"`
	} `json:"tools"`
}

type anBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	IsError   bool            `json:"is_error"`
	Content   json.RawMessage `json:"content"`
	Source    struct {
		Type      string `json:"type"`
		MediaType string `json:"media_type"`
		Data      string `json:"data"`
	} `json:"source"`
}

// recorded turns the request into provider-neutral messages.
func (q anRequest) recorded() (Recorded, error) {
	rec := Recorded{Model: q.Model}
	for _, t := range q.Tools {
		rec.Tools = append(rec.Tools, t.Name)
	}
	sys, err := anContent(q.System, false)
	if err != nil {
		return rec, fmt.Errorf("system: %v", err)
	}
	rec.System = model.Message{Content: sys}.Text()
	for i, m := range q.Messages {
		var role model.Role
		switch m.Role {
		case "user":
			role = model.User
		case "assistant":
			role = model.Assistant
		default:
			return rec, fmt.Errorf("messages[%d]: unknown role %q", i, m.Role)
		}
		blocks, err := anContent(m.Content, true)
		if err != nil {
			return rec, fmt.Errorf("messages[%d].content: %v", i, err)
		}
		rec.Messages = append(rec.Messages, model.Message{Role: role, Content: blocks})
	}
	return rec, nil
}

// anContent decodes content: absent, a string, or an array of blocks.
// Tool blocks are allowed only in messages, not in the system prompt or
// inside a tool_result.
func anContent(raw json.RawMessage, tools bool) ([]model.Block, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []model.Block{{Type: model.TextBlock, Text: s}}, nil
	}
	var in []anBlock
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	var out []model.Block
	for i, b := range in {
		switch {
		case b.Type == "text":
			if b.Text == "" {
				return nil, fmt.Errorf("block %d: text content blocks must be non-empty", i)
			}
			out = append(out, model.Block{Type: model.TextBlock, Text: b.Text})
		case b.Type == "image":
			if b.Source.Type != "base64" {
				return nil, fmt.Errorf("block %d: image source type %q, want base64", i, b.Source.Type)
			}
			data, err := base64.StdEncoding.DecodeString(b.Source.Data)
			if err != nil {
				return nil, fmt.Errorf("block %d: image data: %v", i, err)
			}
			out = append(out, model.Block{Type: model.ImageBlock, MediaType: b.Source.MediaType, Data: data})
		case b.Type == "tool_use" && tools:
			if !bytes.HasPrefix(bytes.TrimSpace(b.Input), []byte("{")) {
				return nil, fmt.Errorf("block %d: tool_use input must be an object, got %.40q", i, string(b.Input))
			}
			out = append(out, model.Block{Type: model.ToolUseBlock, ToolUseID: b.ID, Name: b.Name, Input: b.Input})
		case b.Type == "tool_result" && tools:
			inner, err := anContent(b.Content, false)
			if err != nil {
				return nil, fmt.Errorf("block %d (tool_result %s): %v", i, b.ToolUseID, err)
			}
			out = append(out, model.Block{Type: model.ToolResultBlock, ToolUseID: b.ToolUseID, IsError: b.IsError, Content: inner})
		default:
			return nil, fmt.Errorf("block %d: unsupported type %q here", i, strings.TrimSpace(b.Type))
		}
	}
	return out, nil
}
