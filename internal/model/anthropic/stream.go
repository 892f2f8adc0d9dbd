package anthropic

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"github.com/qdev/qdev/internal/model"
)

// errTruncated marks a stream that ended cleanly but without message_stop:
// the server or a proxy dropped the rest.
var errTruncated = errors.New("stream ended before message_stop")

// Stream sends req and reports text and tool-call starts through onEvent
// as they arrive. On failure the error is a *model.APIError (or ctx's
// error), and when output had already started the returned Response holds
// the text received so far, without the unfinished tool calls.
func (c *Client) Stream(ctx context.Context, req *model.Request, onEvent func(model.Event)) (*model.Response, error) {
	if onEvent == nil {
		onEvent = func(model.Event) {}
	}
	p, err := c.params(req)
	if err != nil {
		return nil, err
	}
	var httpRes *http.Response
	stream := c.svc.NewStreaming(ctx, p, option.WithResponseInto(&httpRes))
	defer stream.Close()
	acc := accumulator{}
	for !acc.stopped && stream.Next() {
		acc.add(stream.Current(), onEvent)
	}
	err = stream.Err()
	if err == nil && !acc.stopped {
		err = errTruncated
	}
	if err != nil {
		var partial *model.Response
		if acc.started {
			partial = acc.partial(req)
		}
		return partial, c.classify(ctx, err, httpRes, acc.started)
	}
	return acc.response(req), nil
}

// block is one content block being streamed, at its event index.
type block struct {
	kind     string // "text", "tool_use", or another type that is ignored
	text     strings.Builder
	id, name string
	input    strings.Builder
}

// accumulator assembles a response from Messages stream events.
type accumulator struct {
	blocks     []*block // in order of first appearance
	byIndex    map[int64]*block
	stopReason anthropic.StopReason
	in, out    int64
	stopped    bool
	// started is set once anything was shown to the user, after which a
	// failure can no longer be retried silently.
	started bool
}

func (a *accumulator) at(i int64) *block {
	b := a.byIndex[i]
	if b == nil {
		if a.byIndex == nil {
			a.byIndex = map[int64]*block{}
		}
		b = &block{}
		a.byIndex[i] = b
		a.blocks = append(a.blocks, b)
	}
	return b
}

func (a *accumulator) add(ev anthropic.MessageStreamEventUnion, onEvent func(model.Event)) {
	switch ev.Type {
	case "message_start":
		u := ev.Message.Usage
		// Cached prompt tokens are counted apart; all of them fill the window.
		a.in = u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
		a.out = u.OutputTokens
	case "content_block_start":
		b := a.at(ev.Index)
		b.kind = ev.ContentBlock.Type
		switch b.kind {
		case "text":
			b.text.WriteString(ev.ContentBlock.Text)
		case "tool_use":
			b.id, b.name = ev.ContentBlock.ID, ev.ContentBlock.Name
			a.started = true
			onEvent(model.Event{Type: model.EventToolUse, Name: b.name, ToolUseID: b.id})
		}
	case "content_block_delta":
		b := a.at(ev.Index)
		switch ev.Delta.Type {
		case "text_delta":
			if b.kind == "" {
				b.kind = "text"
			}
			if ev.Delta.Text != "" {
				b.text.WriteString(ev.Delta.Text)
				a.started = true
				onEvent(model.Event{Type: model.EventText, Text: ev.Delta.Text})
			}
		case "input_json_delta":
			b.input.WriteString(ev.Delta.PartialJSON)
		}
	case "message_delta":
		if ev.Delta.StopReason != "" {
			a.stopReason = ev.Delta.StopReason
		}
		// message_delta carries cumulative counts.
		if ev.Usage.OutputTokens > 0 {
			a.out = ev.Usage.OutputTokens
		}
		if in := ev.Usage.InputTokens + ev.Usage.CacheCreationInputTokens + ev.Usage.CacheReadInputTokens; in > 0 {
			a.in = in
		}
	case "message_stop":
		a.stopped = true
	}
}

func (a *accumulator) response(req *model.Request) *model.Response {
	r := &model.Response{Message: model.Message{Role: model.Assistant}}
	hasTools := false
	for _, b := range a.blocks {
		switch b.kind {
		case "text":
			if b.text.Len() > 0 {
				r.Message.Content = append(r.Message.Content, model.Block{Type: model.TextBlock, Text: b.text.String()})
			}
		case "tool_use":
			hasTools = true
			r.Message.Content = append(r.Message.Content, model.ToolUse(b.id, b.name, b.input.String()))
		}
	}
	switch a.stopReason {
	case anthropic.StopReasonToolUse:
		r.StopReason = model.StopToolUse
	case anthropic.StopReasonMaxTokens:
		r.StopReason = model.StopMaxTokens
	default:
		r.StopReason = model.StopEndTurn
		if hasTools {
			r.StopReason = model.StopToolUse
		}
	}
	r.Usage = a.usage(req, r.Message)
	return r
}

// partial is the text received so far.
func (a *accumulator) partial(req *model.Request) *model.Response {
	r := &model.Response{Message: model.Message{Role: model.Assistant}}
	for _, b := range a.blocks {
		if b.kind == "text" && b.text.Len() > 0 {
			r.Message.Content = append(r.Message.Content, model.Block{Type: model.TextBlock, Text: b.text.String()})
		}
	}
	r.Usage = a.usage(req, r.Message)
	return r
}

// usage is the reported usage, or an estimate when the server reported
// none (some Anthropic-compatible servers send zeros).
func (a *accumulator) usage(req *model.Request, out model.Message) model.Usage {
	if a.in+a.out > 0 {
		return model.Usage{InputTokens: int(a.in), OutputTokens: int(a.out)}
	}
	return model.EstimateUsage(req, out)
}
