package bedrock

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/qdev/qdev/internal/model"
)

// assembler turns ConverseStream events into model events and, at the end,
// a model.Response. Blocks are kept in contentBlockIndex order because
// Bedrock interleaves text and tool calls by index, not by arrival.
type assembler struct {
	onEvent func(model.Event)

	blocks  []model.Block
	byIndex map[int32]int // contentBlockIndex -> position in blocks
	inputs  map[int]*strings.Builder

	stop    model.StopReason
	usage   *model.Usage
	started bool // text or a tool call reached onEvent
	stopped bool // messageStop arrived
}

func newAssembler(onEvent func(model.Event)) *assembler {
	if onEvent == nil {
		onEvent = func(model.Event) {}
	}
	return &assembler{onEvent: onEvent, byIndex: map[int32]int{}, inputs: map[int]*strings.Builder{}}
}

// handle applies one stream event.
func (a *assembler) handle(ev types.ConverseStreamOutput) {
	switch v := ev.(type) {
	case *types.ConverseStreamOutputMemberContentBlockStart:
		tu, ok := v.Value.Start.(*types.ContentBlockStartMemberToolUse)
		if !ok {
			return
		}
		b := model.Block{
			Type:      model.ToolUseBlock,
			ToolUseID: aws.ToString(tu.Value.ToolUseId),
			Name:      aws.ToString(tu.Value.Name),
		}
		pos := a.add(aws.ToInt32(v.Value.ContentBlockIndex), b)
		a.inputs[pos] = &strings.Builder{}
		a.started = true
		a.onEvent(model.Event{Type: model.EventToolUse, Name: b.Name, ToolUseID: b.ToolUseID})
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		idx := aws.ToInt32(v.Value.ContentBlockIndex)
		switch d := v.Value.Delta.(type) {
		case *types.ContentBlockDeltaMemberText:
			if d.Value == "" {
				return
			}
			pos, ok := a.byIndex[idx]
			if !ok || a.blocks[pos].Type != model.TextBlock {
				pos = a.add(idx, model.Block{Type: model.TextBlock})
			}
			a.blocks[pos].Text += d.Value
			a.started = true
			a.onEvent(model.Event{Type: model.EventText, Text: d.Value})
		case *types.ContentBlockDeltaMemberToolUse:
			if pos, ok := a.byIndex[idx]; ok && a.inputs[pos] != nil {
				a.inputs[pos].WriteString(aws.ToString(d.Value.Input))
			}
		}
	case *types.ConverseStreamOutputMemberMessageStop:
		a.stopped = true
		a.stop = mapStopReason(v.Value.StopReason)
	case *types.ConverseStreamOutputMemberMetadata:
		if u := v.Value.Usage; u != nil {
			a.usage = &model.Usage{
				InputTokens:  int(aws.ToInt32(u.InputTokens)),
				OutputTokens: int(aws.ToInt32(u.OutputTokens)),
			}
		}
	}
}

func (a *assembler) add(idx int32, b model.Block) int {
	a.blocks = append(a.blocks, b)
	pos := len(a.blocks) - 1
	a.byIndex[idx] = pos
	return pos
}

// response assembles the final answer. With partial set (the stream failed)
// it keeps only the text: a tool call whose input may be cut short must not
// enter the conversation, where it would need a tool_result.
func (a *assembler) response(req *model.Request, partial bool) *model.Response {
	msg := model.Message{Role: model.Assistant}
	for pos, b := range a.blocks {
		if b.Type == model.ToolUseBlock {
			if partial {
				continue
			}
			b.Input, b.RawInput = parseToolInput(a.inputs[pos].String())
		}
		msg.Content = append(msg.Content, b)
	}
	resp := &model.Response{Message: msg, StopReason: a.stop}
	if resp.StopReason == "" {
		resp.StopReason = model.StopEndTurn
	}
	if !partial && len(msg.ToolUses()) > 0 && resp.StopReason == model.StopEndTurn {
		// Some models report end_turn alongside tool calls; the calls still
		// have to be run and answered.
		resp.StopReason = model.StopToolUse
	}
	if a.usage != nil {
		resp.Usage = *a.usage
	} else {
		out := 0
		for _, b := range msg.Content {
			out += model.EstimateTokens(b.Text) + model.EstimateTokens(string(b.Input))
		}
		resp.Usage = model.Usage{
			InputTokens:  model.EstimateMessages(req.System, req.Messages, req.Tools),
			OutputTokens: out,
			Estimated:    true,
		}
	}
	return resp
}

// parseToolInput returns the tool input as a JSON object. Anything that is
// not one is replaced by {} and handed back as raw text for the agent to
// report to the model.
func parseToolInput(s string) (json.RawMessage, string) {
	if strings.TrimSpace(s) == "" {
		return json.RawMessage(`{}`), ""
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		return json.RawMessage(`{}`), s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return json.RawMessage(`{}`), s
	}
	return json.RawMessage(buf.Bytes()), ""
}

func mapStopReason(r types.StopReason) model.StopReason {
	switch r {
	case types.StopReasonToolUse:
		return model.StopToolUse
	case types.StopReasonMaxTokens, types.StopReasonModelContextWindowExceeded:
		return model.StopMaxTokens
	}
	return model.StopEndTurn
}
