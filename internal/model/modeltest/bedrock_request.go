package modeltest

import (
	"encoding/json"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

// Converse request shapes, only the fields the fake records.
type bedrockRequest struct {
	Messages []struct {
		Role    model.Role     `json:"role"`
		Content []bedrockBlock `json:"content"`
	} `json:"messages"`
	System []struct {
		Text string `json:"text"`
	} `json:"system"`
	ToolConfig *struct {
		Tools []struct {
			ToolSpec *struct {
				Name string `json:"name"`
			} `json:"toolSpec"`
		} `json:"tools"`
	} `json:"toolConfig"`
}

type bedrockBlock struct {
	Text    *string         `json:"text"`
	JSON    json.RawMessage `json:"json"`
	Image   *bedrockImage   `json:"image"`
	ToolUse *struct {
		ToolUseID string          `json:"toolUseId"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
	} `json:"toolUse"`
	ToolResult *struct {
		ToolUseID string         `json:"toolUseId"`
		Content   []bedrockBlock `json:"content"`
		Status    string         `json:"status"`
	} `json:"toolResult"`
}

type bedrockImage struct {
	Format string `json:"format"`
	Source struct {
		Bytes []byte `json:"bytes"` // base64 on the wire
	} `json:"source"`
}

func (b bedrockBlock) toModel() model.Block {
	switch {
	case b.Text != nil:
		return model.Block{Type: model.TextBlock, Text: *b.Text}
	case b.JSON != nil:
		return model.Block{Type: model.TextBlock, Text: string(b.JSON)}
	case b.Image != nil:
		return model.Block{Type: model.ImageBlock, MediaType: "image/" + b.Image.Format, Data: b.Image.Source.Bytes}
	case b.ToolUse != nil:
		return model.Block{Type: model.ToolUseBlock, ToolUseID: b.ToolUse.ToolUseID, Name: b.ToolUse.Name, Input: b.ToolUse.Input}
	case b.ToolResult != nil:
		out := model.Block{Type: model.ToolResultBlock, ToolUseID: b.ToolResult.ToolUseID, IsError: b.ToolResult.Status == "error"}
		for _, c := range b.ToolResult.Content {
			out.Content = append(out.Content, c.toModel())
		}
		return out
	}
	return model.Block{Type: "unknown"}
}

// recorded converts the decoded request; modelID comes from the URL path.
func (q bedrockRequest) recorded(modelID string) Recorded {
	rec := Recorded{Model: modelID}
	var system []string
	for _, sb := range q.System {
		system = append(system, sb.Text)
	}
	rec.System = strings.Join(system, "\n")
	for _, m := range q.Messages {
		msg := model.Message{Role: m.Role}
		for _, b := range m.Content {
			msg.Content = append(msg.Content, b.toModel())
		}
		rec.Messages = append(rec.Messages, msg)
	}
	if q.ToolConfig != nil {
		for _, t := range q.ToolConfig.Tools {
			if t.ToolSpec != nil {
				rec.Tools = append(rec.Tools, t.ToolSpec.Name)
			}
		}
	}
	return rec
}
