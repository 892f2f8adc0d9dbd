package bedrock

import (
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
			tu := model.ToolUse(b.ToolUseID, b.Name, a.inputs[pos].String())
			b.Input, b.RawInput = tu.Input, tu.RawInput
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
		resp.Usage = model.EstimateUsage(req, msg)
	}
	return resp
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
