package openai

import (
	"encoding/json"
	"fmt"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"

	"github.com/qdev/qdev/internal/model"
)

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
