package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/packages/param"

	"github.com/qdev/qdev/internal/model"
)

// params builds the Messages request for req.
func (c *Client) params(req *model.Request) (anthropic.MessageNewParams, error) {
	p := anthropic.MessageNewParams{
		Model:     anthropic.Model(req.Model),
		MaxTokens: int64(req.MaxTokens),
	}
	if p.MaxTokens <= 0 {
		p.MaxTokens = DefaultMaxTokens
	}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	for i, m := range req.Messages {
		var blocks []anthropic.ContentBlockParamUnion
		for _, b := range m.Content {
			blocks = append(blocks, contentBlock(b)...)
		}
		if len(blocks) == 0 {
			// The API rejects empty messages; one without content says nothing.
			continue
		}
		switch m.Role {
		case model.User:
			p.Messages = append(p.Messages, anthropic.NewUserMessage(blocks...))
		case model.Assistant:
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(blocks...))
		default:
			return p, fmt.Errorf("%s: messages[%d]: unknown role %q", c.name, i, m.Role)
		}
	}
	for _, t := range req.Tools {
		tp, err := c.tools.Get(t, c.toolParam)
		if err != nil {
			return p, err
		}
		p.Tools = append(p.Tools, tp)
	}
	return p, nil
}

// contentBlock converts one block; empty text, which the API rejects,
// gives nothing.
func contentBlock(b model.Block) []anthropic.ContentBlockParamUnion {
	switch b.Type {
	case model.TextBlock:
		if b.Text == "" {
			return nil
		}
		return []anthropic.ContentBlockParamUnion{anthropic.NewTextBlock(b.Text)}
	case model.ImageBlock:
		return []anthropic.ContentBlockParamUnion{{OfImage: imageBlock(b)}}
	case model.ToolUseBlock:
		input := b.Input
		if len(input) == 0 {
			input = json.RawMessage(`{}`)
		}
		return []anthropic.ContentBlockParamUnion{anthropic.NewToolUseBlock(b.ToolUseID, input, b.Name)}
	case model.ToolResultBlock:
		r := anthropic.ToolResultBlockParam{ToolUseID: b.ToolUseID}
		if b.IsError {
			r.IsError = anthropic.Bool(true)
		}
		if b.Text != "" {
			r.Content = append(r.Content, anthropic.ToolResultBlockParamContentUnion{OfText: &anthropic.TextBlockParam{Text: b.Text}})
		}
		for _, c := range b.Content {
			switch {
			case c.Type == model.TextBlock && c.Text != "":
				r.Content = append(r.Content, anthropic.ToolResultBlockParamContentUnion{OfText: &anthropic.TextBlockParam{Text: c.Text}})
			case c.Type == model.ImageBlock:
				r.Content = append(r.Content, anthropic.ToolResultBlockParamContentUnion{OfImage: imageBlock(c)})
			}
		}
		return []anthropic.ContentBlockParamUnion{{OfToolResult: &r}}
	}
	return nil
}

func imageBlock(b model.Block) *anthropic.ImageBlockParam {
	return &anthropic.ImageBlockParam{Source: anthropic.ImageBlockParamSourceUnion{
		OfBase64: &anthropic.Base64ImageSourceParam{
			Data:      base64.StdEncoding.EncodeToString(b.Data),
			MediaType: anthropic.Base64ImageSourceMediaType(b.MediaType),
		},
	}}
}

// toolParam builds the request form of t, already encoded: the SDK sends
// the stored JSON as is instead of walking the schema again every turn.
func (c *Client) toolParam(t model.ToolSpec) (anthropic.ToolUnionParam, error) {
	schema, err := inputSchema(t.InputSchema)
	if err != nil {
		return anthropic.ToolUnionParam{}, fmt.Errorf("%s: tool %q: %v", c.name, t.Name, err)
	}
	tool := anthropic.ToolParam{Name: t.Name, InputSchema: schema}
	if t.Description != "" {
		tool.Description = anthropic.String(t.Description)
	}
	raw, err := json.Marshal(tool)
	if err != nil {
		return anthropic.ToolUnionParam{}, fmt.Errorf("%s: tool %q: %v", c.name, t.Name, err)
	}
	var encoded anthropic.ToolParam
	param.SetJSON(raw, &encoded)
	return anthropic.ToolUnionParam{OfTool: &encoded}, nil
}

// inputSchema splits a JSON schema object into the SDK's fields: the
// properties and required lists, and everything else as extra fields.
func inputSchema(raw json.RawMessage) (anthropic.ToolInputSchemaParam, error) {
	var s anthropic.ToolInputSchemaParam
	if len(raw) == 0 {
		s.Properties = map[string]any{}
		return s, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return s, fmt.Errorf("input schema is not a JSON object")
	}
	s.Properties = m["properties"]
	if s.Properties == nil {
		s.Properties = map[string]any{}
	}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok {
				s.Required = append(s.Required, name)
			}
		}
	}
	for k, v := range m {
		switch k {
		case "type", "properties", "required":
		default:
			if s.ExtraFields == nil {
				s.ExtraFields = map[string]any{}
			}
			s.ExtraFields[k] = v
		}
	}
	return s, nil
}
