package openai

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"

	"github.com/qdev/qdev/internal/model"
)

// params builds the chat completions request for req.
func (c *Client) params(req *model.Request) (openai.ChatCompletionNewParams, error) {
	p := openai.ChatCompletionNewParams{
		Model:         shared.ChatModel(req.Model),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	if req.MaxTokens > 0 {
		if c.official {
			p.MaxCompletionTokens = openai.Int(int64(req.MaxTokens))
		} else {
			p.MaxTokens = openai.Int(int64(req.MaxTokens))
		}
	}
	if req.System != "" {
		p.Messages = append(p.Messages, openai.SystemMessage(req.System))
	}
	for i, m := range req.Messages {
		var msgs []openai.ChatCompletionMessageParamUnion
		switch m.Role {
		case model.User:
			msgs = userMessages(m)
		case model.Assistant:
			msgs = assistantMessage(m)
		default:
			return p, fmt.Errorf("%s: messages[%d]: unknown role %q", c.name, i, m.Role)
		}
		p.Messages = append(p.Messages, msgs...)
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

// toolParam builds the request form of t, already encoded: the SDK sends
// the stored JSON as is instead of walking the schema again every turn.
func (c *Client) toolParam(t model.ToolSpec) (openai.ChatCompletionToolUnionParam, error) {
	fn := shared.FunctionDefinitionParam{Name: t.Name}
	if t.Description != "" {
		fn.Description = openai.String(t.Description)
	}
	schema := map[string]any{"type": "object", "properties": map[string]any{}}
	if len(t.InputSchema) > 0 {
		schema = nil
		if err := json.Unmarshal(t.InputSchema, &schema); err != nil || schema == nil {
			return openai.ChatCompletionToolUnionParam{}, fmt.Errorf("%s: tool %q: input schema is not a JSON object", c.name, t.Name)
		}
	}
	fn.Parameters = schema
	raw, err := json.Marshal(openai.ChatCompletionFunctionToolParam{Function: fn})
	if err != nil {
		return openai.ChatCompletionToolUnionParam{}, fmt.Errorf("%s: tool %q: %v", c.name, t.Name, err)
	}
	var encoded openai.ChatCompletionFunctionToolParam
	param.SetJSON(raw, &encoded)
	return openai.ChatCompletionToolUnionParam{OfFunction: &encoded}, nil
}

// userMessages converts one user message. Chat completions carries tool
// results as separate "tool" messages that must come right after the
// assistant's tool calls, and they can hold only text; so the tool
// messages go first, and the images of tool results and the user's own
// text and images follow in a single user message.
func userMessages(m model.Message) []openai.ChatCompletionMessageParamUnion {
	var out []openai.ChatCompletionMessageParamUnion
	var parts []openai.ChatCompletionContentPartUnionParam
	for _, b := range m.Content {
		switch b.Type {
		case model.ToolResultBlock:
			text, images := resultContent(b)
			out = append(out, openai.ToolMessage(text, b.ToolUseID))
			if len(images) > 0 {
				parts = append(parts, openai.TextContentPart(fmt.Sprintf("Images returned by tool call %s:", b.ToolUseID)))
				for _, img := range images {
					parts = append(parts, imagePart(img))
				}
			}
		case model.TextBlock:
			parts = append(parts, openai.TextContentPart(b.Text))
		case model.ImageBlock:
			parts = append(parts, imagePart(b))
		}
	}
	switch {
	case len(parts) == 1 && parts[0].OfText != nil:
		// A plain string is what most compatible servers handle best.
		out = append(out, openai.UserMessage(parts[0].OfText.Text))
	case len(parts) > 0:
		out = append(out, openai.UserMessage(parts))
	}
	return out
}

// resultContent splits a tool_result into its text and its images.
func resultContent(b model.Block) (string, []model.Block) {
	text := b.Text
	var images []model.Block
	for _, c := range b.Content {
		switch c.Type {
		case model.TextBlock:
			if text != "" && c.Text != "" {
				text += "\n"
			}
			text += c.Text
		case model.ImageBlock:
			images = append(images, c)
		}
	}
	return text, images
}

func imagePart(b model.Block) openai.ChatCompletionContentPartUnionParam {
	url := "data:" + b.MediaType + ";base64," + base64.StdEncoding.EncodeToString(b.Data)
	return openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: url})
}

// assistantMessage converts an assistant turn to text plus tool_calls. A
// tool input that was malformed when the model sent it is replayed as the
// {} the agent acted on, which every server accepts.
func assistantMessage(m model.Message) []openai.ChatCompletionMessageParamUnion {
	var a openai.ChatCompletionAssistantMessageParam
	text := m.Text()
	if text != "" {
		a.Content.OfString = openai.String(text)
	}
	for _, u := range m.ToolUses() {
		args := string(u.Input)
		if args == "" {
			args = "{}"
		}
		a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
			OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
				ID:       u.ToolUseID,
				Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: u.Name, Arguments: args},
			},
		})
	}
	if text == "" && len(a.ToolCalls) == 0 {
		// An empty assistant message is rejected by most servers and
		// carries nothing.
		return nil
	}
	return []openai.ChatCompletionMessageParamUnion{{OfAssistant: &a}}
}
