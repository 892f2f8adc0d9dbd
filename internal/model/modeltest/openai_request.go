package modeltest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

// oaRequest is the part of a chat completions request the fake reads.
type oaRequest struct {
	Model    string      `json:"model"`
	Stream   bool        `json:"stream"`
	Messages []oaMessage `json:"messages"`
	Tools    []struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tools"`
}

type oaMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCalls  []oaToolCall    `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type oaToolCall struct {
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type oaPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ImageURL struct {
		URL string `json:"url"`
	} `json:"image_url"`
}

// recorded turns the request into provider-neutral messages. OpenAI has
// no tool_result block: each "tool" message becomes a tool_result block of
// one user message, and a user message right after tool messages (where
// a client puts tool images) joins that same message, so the pairing
// check sees the conversation as the agent built it.
func (q oaRequest) recorded() (Recorded, error) {
	rec := Recorded{Model: q.Model}
	for _, t := range q.Tools {
		rec.Tools = append(rec.Tools, t.Function.Name)
	}
	var system []string
	afterTool := false
	for i, m := range q.Messages {
		blocks, err := oaContent(m.Content)
		if err != nil {
			return rec, fmt.Errorf("messages[%d].content: %v", i, err)
		}
		switch m.Role {
		case "system", "developer":
			system = append(system, model.Message{Content: blocks}.Text())
			afterTool = false
		case "user":
			if afterTool {
				last := &rec.Messages[len(rec.Messages)-1]
				last.Content = append(last.Content, blocks...)
			} else {
				rec.Messages = append(rec.Messages, model.Message{Role: model.User, Content: blocks})
			}
			afterTool = false
		case "assistant":
			for j, tc := range m.ToolCalls {
				if tc.ID == "" {
					return rec, fmt.Errorf("messages[%d].tool_calls[%d]: empty id", i, j)
				}
				blocks = append(blocks, oaToolUse(tc))
			}
			rec.Messages = append(rec.Messages, model.Message{Role: model.Assistant, Content: blocks})
			afterTool = false
		case "tool":
			if m.ToolCallID == "" {
				return rec, fmt.Errorf("messages[%d]: tool message without tool_call_id", i)
			}
			res := model.Block{Type: model.ToolResultBlock, ToolUseID: m.ToolCallID, Content: blocks}
			if afterTool {
				last := &rec.Messages[len(rec.Messages)-1]
				last.Content = append(last.Content, res)
			} else {
				rec.Messages = append(rec.Messages, model.Message{Role: model.User, Content: []model.Block{res}})
			}
			afterTool = true
		default:
			return rec, fmt.Errorf("messages[%d]: unknown role %q", i, m.Role)
		}
	}
	rec.System = strings.Join(system, "\n\n")
	return rec, nil
}

// oaToolUse converts an assistant tool call, keeping malformed arguments
// in RawInput the way the adapters do.
func oaToolUse(tc oaToolCall) model.Block {
	b := model.Block{Type: model.ToolUseBlock, ToolUseID: tc.ID, Name: tc.Function.Name}
	args := strings.TrimSpace(tc.Function.Arguments)
	if args != "" && json.Valid([]byte(args)) {
		b.Input = json.RawMessage(args)
	} else {
		b.Input = json.RawMessage(`{}`)
		b.RawInput = tc.Function.Arguments
	}
	return b
}

// oaContent decodes message content: null, a string, or an array of parts.
func oaContent(raw json.RawMessage) ([]model.Block, error) {
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
	var parts []oaPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, err
	}
	var out []model.Block
	for i, p := range parts {
		switch p.Type {
		case "text":
			out = append(out, model.Block{Type: model.TextBlock, Text: p.Text})
		case "image_url":
			img, err := decodeDataURL(p.ImageURL.URL)
			if err != nil {
				return nil, fmt.Errorf("part %d: %v", i, err)
			}
			out = append(out, img)
		default:
			return nil, fmt.Errorf("part %d: unsupported type %q", i, p.Type)
		}
	}
	return out, nil
}

// decodeDataURL reads a data:<media type>;base64,<data> image URL.
func decodeDataURL(u string) (model.Block, error) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return model.Block{}, fmt.Errorf("image URL is not a data URL: %.40q", u)
	}
	meta, data, ok := strings.Cut(rest, ",")
	mediaType, isB64 := strings.CutSuffix(meta, ";base64")
	if !ok || !isB64 {
		return model.Block{}, fmt.Errorf("image data URL is not base64: %.40q", u)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return model.Block{}, fmt.Errorf("image data URL: %v", err)
	}
	return model.Block{Type: model.ImageBlock, MediaType: mediaType, Data: b}, nil
}
