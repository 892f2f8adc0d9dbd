package openai

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/qdev/qdev/internal/model"
)

// FuzzAccumulate feeds arbitrary chunk sequences (one JSON chunk a line)
// to the accumulator: it must not panic, and every tool_use it returns
// must carry a JSON object as Input.
func FuzzAccumulate(f *testing.F) {
	f.Add([]byte(`{"choices":[{"index":0,"delta":{"content":"hi"}}]}
{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\"x\""}}]}}]}
{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}]}
{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}`))
	f.Add([]byte(`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":5,"function":{"name":"g","arguments":"[1,"}},{"index":5,"id":"z","function":{"arguments":"}"}}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		acc := accumulator{byIndex: map[int64]*toolCall{}}
		for _, line := range bytes.Split(data, []byte("\n")) {
			var ch openai.ChatCompletionChunk
			if json.Unmarshal(line, &ch) != nil {
				continue
			}
			acc.add(ch, func(model.Event) {})
		}
		req := &model.Request{}
		for _, b := range acc.response(req).Message.Content {
			if b.Type != model.ToolUseBlock {
				continue
			}
			var obj map[string]any
			if err := json.Unmarshal(b.Input, &obj); err != nil || obj == nil {
				t.Fatalf("tool_use input %q is not an object", b.Input)
			}
		}
		acc.partial(req)
	})
}
