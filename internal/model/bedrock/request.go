package bedrock

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/qdev/qdev/internal/model"
)

// Bedrock rejects blank text blocks and empty content lists with a
// ValidationException, so the mapping fills such holes with these markers
// rather than failing a whole conversation over an empty tool output.
const (
	emptyMessage = "(empty)"
	emptyResult  = "(no output)"
)

// buildInput maps a provider-neutral request to a ConverseStream call.
func buildInput(req *model.Request) (*bedrockruntime.ConverseStreamInput, error) {
	if req.Model == "" {
		return nil, fmt.Errorf("bedrock: request has no model id")
	}
	in := &bedrockruntime.ConverseStreamInput{ModelId: aws.String(req.Model)}
	if strings.TrimSpace(req.System) != "" {
		in.System = []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: req.System}}
	}
	for i, m := range req.Messages {
		msg, err := buildMessage(m)
		if err != nil {
			return nil, fmt.Errorf("bedrock: message %d: %w", i, err)
		}
		in.Messages = append(in.Messages, msg)
	}
	if len(req.Tools) > 0 {
		cfg := &types.ToolConfiguration{}
		for _, t := range req.Tools {
			schema, err := jsonDocument(t.InputSchema, `{"type":"object","properties":{}}`)
			if err != nil {
				return nil, fmt.Errorf("bedrock: tool %q: input schema: %w", t.Name, err)
			}
			spec := types.ToolSpecification{
				Name:        aws.String(t.Name),
				InputSchema: &types.ToolInputSchemaMemberJson{Value: schema},
			}
			if t.Description != "" {
				spec.Description = aws.String(t.Description)
			}
			cfg.Tools = append(cfg.Tools, &types.ToolMemberToolSpec{Value: spec})
		}
		in.ToolConfig = cfg
	}
	if req.MaxTokens > 0 {
		in.InferenceConfig = &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(min(req.MaxTokens, 1<<31-1)))}
	}
	return in, nil
}

func buildMessage(m model.Message) (types.Message, error) {
	var role types.ConversationRole
	switch m.Role {
	case model.User:
		role = types.ConversationRoleUser
	case model.Assistant:
		role = types.ConversationRoleAssistant
	default:
		return types.Message{}, fmt.Errorf("unknown role %q", m.Role)
	}
	out := types.Message{Role: role}
	for j, b := range m.Content {
		cb, err := buildBlock(b)
		if err != nil {
			return types.Message{}, fmt.Errorf("block %d: %w", j, err)
		}
		if cb != nil {
			out.Content = append(out.Content, cb)
		}
	}
	if len(out.Content) == 0 {
		out.Content = []types.ContentBlock{&types.ContentBlockMemberText{Value: emptyMessage}}
	}
	return out, nil
}

// buildBlock maps one block; it returns nil for blocks Bedrock would reject
// and that carry nothing (blank text).
func buildBlock(b model.Block) (types.ContentBlock, error) {
	switch b.Type {
	case model.TextBlock:
		if strings.TrimSpace(b.Text) == "" {
			return nil, nil
		}
		return &types.ContentBlockMemberText{Value: b.Text}, nil
	case model.ImageBlock:
		img, err := buildImage(b)
		if err != nil {
			return nil, err
		}
		return &types.ContentBlockMemberImage{Value: img}, nil
	case model.ToolUseBlock:
		input, err := jsonDocument(b.Input, `{}`)
		if err != nil {
			return nil, fmt.Errorf("tool_use %s: input: %w", b.ToolUseID, err)
		}
		return &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
			ToolUseId: aws.String(b.ToolUseID),
			Name:      aws.String(b.Name),
			Input:     input,
		}}, nil
	case model.ToolResultBlock:
		res := types.ToolResultBlock{ToolUseId: aws.String(b.ToolUseID)}
		if b.IsError {
			res.Status = types.ToolResultStatusError
		}
		for _, c := range b.Content {
			switch c.Type {
			case model.TextBlock:
				if strings.TrimSpace(c.Text) != "" {
					res.Content = append(res.Content, &types.ToolResultContentBlockMemberText{Value: c.Text})
				}
			case model.ImageBlock:
				img, err := buildImage(c)
				if err != nil {
					return nil, fmt.Errorf("tool_result %s: %w", b.ToolUseID, err)
				}
				res.Content = append(res.Content, &types.ToolResultContentBlockMemberImage{Value: img})
			default:
				return nil, fmt.Errorf("tool_result %s: unsupported content block type %q", b.ToolUseID, c.Type)
			}
		}
		if len(res.Content) == 0 {
			res.Content = []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: emptyResult}}
		}
		return &types.ContentBlockMemberToolResult{Value: res}, nil
	}
	return nil, fmt.Errorf("unsupported block type %q", b.Type)
}

func buildImage(b model.Block) (types.ImageBlock, error) {
	var f types.ImageFormat
	switch strings.ToLower(b.MediaType) {
	case "image/png":
		f = types.ImageFormatPng
	case "image/jpeg", "image/jpg":
		f = types.ImageFormatJpeg
	case "image/gif":
		f = types.ImageFormatGif
	case "image/webp":
		f = types.ImageFormatWebp
	default:
		return types.ImageBlock{}, fmt.Errorf("unsupported image type %q (want png, jpeg, gif or webp)", b.MediaType)
	}
	if len(b.Data) == 0 {
		return types.ImageBlock{}, fmt.Errorf("image %s has no data", b.MediaType)
	}
	return types.ImageBlock{Format: f, Source: &types.ImageSourceMemberBytes{Value: b.Data}}, nil
}

// jsonDocument turns raw JSON into the SDK's document type, which wants Go
// values rather than bytes. Empty input stands for def.
func jsonDocument(raw json.RawMessage, def string) (document.Interface, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = json.RawMessage(def)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return document.NewLazyDocument(v), nil
}
