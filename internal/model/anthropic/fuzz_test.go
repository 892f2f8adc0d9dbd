package anthropic

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"

	"github.com/qdev/qdev/internal/model"
)

// FuzzAccumulate feeds arbitrary event sequences (one JSON event a line)
// to the accumulator: it must not panic, and every tool_use it returns
// must carry a JSON object as Input.
func FuzzAccumulate(f *testing.F) {
	f.Add([]byte(`{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}
{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}
{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}
{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}
{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}
{"type":"message_stop"}`))
	f.Add([]byte(`{"type":"content_block_delta","index":-7,"delta":{"type":"input_json_delta","partial_json":"[]"}}
{"type":"content_block_start","index":-7,"content_block":{"type":"tool_use","id":"t","name":"f"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var acc accumulator
		for _, line := range bytes.Split(data, []byte("\n")) {
			var ev anthropic.MessageStreamEventUnion
			if json.Unmarshal(line, &ev) != nil {
				continue
			}
			acc.add(ev, func(model.Event) {})
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
