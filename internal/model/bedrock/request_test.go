package bedrock

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/qdev/qdev/internal/model"
)

func TestBuildInputMapping(t *testing.T) {
	req := &model.Request{
		Model:     "m",
		MaxTokens: 4096,
		Messages: []model.Message{
			{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: "  "}}},
			{Role: model.Assistant, Content: []model.Block{{Type: model.ToolUseBlock, ToolUseID: "t", Name: "n"}}},
			{Role: model.User, Content: []model.Block{{Type: model.ToolResultBlock, ToolUseID: "t", IsError: true}}},
		},
	}
	in, err := buildInput(req)
	if err != nil {
		t.Fatalf("buildInput: %v", err)
	}
	if aws.ToInt32(in.InferenceConfig.MaxTokens) != 4096 || in.System != nil || in.ToolConfig != nil {
		t.Errorf("inference/system/tools = %+v %v %v", in.InferenceConfig, in.System, in.ToolConfig)
	}
	// A blank message still needs content for Bedrock to accept it.
	if txt, ok := in.Messages[0].Content[0].(*types.ContentBlockMemberText); !ok || txt.Value != emptyMessage {
		t.Errorf("blank message content = %#v", in.Messages[0].Content)
	}
	res, ok := in.Messages[2].Content[0].(*types.ContentBlockMemberToolResult)
	if !ok || res.Value.Status != types.ToolResultStatusError || len(res.Value.Content) != 1 {
		t.Fatalf("tool result = %#v", in.Messages[2].Content[0])
	}
	if txt, ok := res.Value.Content[0].(*types.ToolResultContentBlockMemberText); !ok || txt.Value != emptyResult {
		t.Errorf("empty tool result content = %#v", res.Value.Content)
	}

	req.MaxTokens = 0
	if in, _ := buildInput(req); in.InferenceConfig != nil {
		t.Error("MaxTokens 0 must leave InferenceConfig unset")
	}
}

func TestBuildInputErrors(t *testing.T) {
	img := func(mt string, data []byte) model.Message {
		return model.Message{Role: model.User, Content: []model.Block{{Type: model.ImageBlock, MediaType: mt, Data: data}}}
	}
	tests := []struct {
		name string
		req  model.Request
		want string
	}{
		{"no model", model.Request{}, "no model id"},
		{"bad role", model.Request{Model: "m", Messages: []model.Message{{Role: "system"}}}, `message 0: unknown role "system"`},
		{"bmp", model.Request{Model: "m", Messages: []model.Message{img("image/bmp", []byte{1})}}, `message 0: block 0: unsupported image type "image/bmp"`},
		{"empty image", model.Request{Model: "m", Messages: []model.Message{img("image/png", nil)}}, "has no data"},
		{"bad schema", model.Request{Model: "m", Tools: []model.ToolSpec{{Name: "x", InputSchema: json.RawMessage(`{`)}}}, `tool "x": input schema: invalid JSON`},
		{"bad block", model.Request{Model: "m", Messages: []model.Message{{Role: model.User, Content: []model.Block{{Type: "video"}}}}}, `unsupported block type "video"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildInput(&tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "bedrock: ") {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestKindForCode(t *testing.T) {
	tests := []struct {
		code, msg string
		status    int
		want      model.ErrorKind
	}{
		{"ModelNotReadyException", "", 429, model.KindServer},
		{"ServiceQuotaExceededException", "", 400, model.KindThrottled},
		{"ExpiredTokenException", "", 400, model.KindAuth},
		{"UnrecognizedClientException", "", 403, model.KindAuth},
		{"ValidationException", "prompt is too long: 210000 tokens > 200000 maximum", 400, model.KindContextOverflow},
		{"ValidationException", "Too many input tokens", 400, model.KindContextOverflow},
		{"ValidationException", "The model does not support tool use", 400, model.KindOther},
		{"SomethingNew", "", 502, model.KindServer},
		{"SomethingNew", "", 0, model.KindOther},
	}
	for _, tt := range tests {
		if got := kindForCode(tt.code, tt.msg, tt.status); got != tt.want {
			t.Errorf("kindForCode(%s, %q, %d) = %d, want %d", tt.code, tt.msg, tt.status, got, tt.want)
		}
	}
}

func TestMapStopReason(t *testing.T) {
	for in, want := range map[types.StopReason]model.StopReason{
		"end_turn": model.StopEndTurn, "tool_use": model.StopToolUse, "max_tokens": model.StopMaxTokens,
		"stop_sequence": model.StopEndTurn, "model_context_window_exceeded": model.StopMaxTokens, "": model.StopEndTurn,
	} {
		if got := mapStopReason(in); got != want {
			t.Errorf("mapStopReason(%q) = %q, want %q", in, got, want)
		}
	}
}
