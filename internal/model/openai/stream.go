package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/qdev/qdev/internal/model"
)

// errTruncated marks a stream that ended cleanly but without a finish
// reason: the server or a proxy dropped the rest.
var errTruncated = errors.New("stream ended before the model finished")

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
	acc := accumulator{byIndex: map[int64]*toolCall{}}
	for stream.Next() {
		acc.add(stream.Current(), onEvent)
	}
	err = stream.Err()
	if err == nil && acc.finish == "" {
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

type toolCall struct {
	id, name  string
	args      strings.Builder
	announced bool
}

// accumulator assembles a response from chat completion chunks.
type accumulator struct {
	text    strings.Builder
	calls   []*toolCall
	byIndex map[int64]*toolCall
	finish  string
	usage   *model.Usage
	// started is set once anything was shown to the user, after which a
	// failure can no longer be retried silently.
	started bool
}

func (a *accumulator) add(ch openai.ChatCompletionChunk, onEvent func(model.Event)) {
	if ch.JSON.Usage.Valid() && ch.Usage.PromptTokens+ch.Usage.CompletionTokens > 0 {
		a.usage = &model.Usage{InputTokens: int(ch.Usage.PromptTokens), OutputTokens: int(ch.Usage.CompletionTokens)}
	}
	for _, choice := range ch.Choices {
		if choice.Index != 0 {
			continue // only one completion is ever requested
		}
		d := choice.Delta
		for _, s := range []string{d.Content, d.Refusal} {
			if s != "" {
				a.text.WriteString(s)
				a.started = true
				onEvent(model.Event{Type: model.EventText, Text: s})
			}
		}
		for _, tc := range d.ToolCalls {
			a.addToolDelta(tc, onEvent)
		}
		if choice.FinishReason != "" {
			a.finish = choice.FinishReason
		}
	}
}

// addToolDelta merges one tool-call fragment. Fragments are keyed by
// index; a new id at a known index starts a new call, because some
// compatible servers number every call 0.
func (a *accumulator) addToolDelta(d openai.ChatCompletionChunkChoiceDeltaToolCall, onEvent func(model.Event)) {
	tc := a.byIndex[d.Index]
	if tc == nil || (d.ID != "" && tc.id != "" && d.ID != tc.id) {
		tc = &toolCall{}
		a.byIndex[d.Index] = tc
		a.calls = append(a.calls, tc)
	}
	if tc.id == "" {
		tc.id = d.ID
	}
	if tc.name == "" {
		// Names are not streamed in pieces; some servers repeat them.
		tc.name = d.Function.Name
	}
	tc.args.WriteString(d.Function.Arguments)
	if !tc.announced && tc.name != "" {
		if tc.id == "" {
			tc.id = fmt.Sprintf("call_%d", len(a.calls))
		}
		tc.announced = true
		a.started = true
		onEvent(model.Event{Type: model.EventToolUse, Name: tc.name, ToolUseID: tc.id})
	}
}

func (a *accumulator) response(req *model.Request) *model.Response {
	r := a.partial(req)
	for _, tc := range a.calls {
		r.Message.Content = append(r.Message.Content, model.ToolUse(tc.id, tc.name, tc.args.String()))
	}
	switch a.finish {
	case "length":
		r.StopReason = model.StopMaxTokens
	case "tool_calls", "function_call":
		r.StopReason = model.StopToolUse
	default:
		// Some compatible servers finish tool calls with "stop".
		r.StopReason = model.StopEndTurn
		if len(a.calls) > 0 {
			r.StopReason = model.StopToolUse
		}
	}
	if a.usage != nil {
		r.Usage = *a.usage
	} else {
		r.Usage = model.EstimateUsage(req, r.Message)
	}
	return r
}

// partial is the text received so far.
func (a *accumulator) partial(req *model.Request) *model.Response {
	r := &model.Response{Message: model.Message{Role: model.Assistant}}
	if a.text.Len() > 0 {
		r.Message.Content = []model.Block{{Type: model.TextBlock, Text: a.text.String()}}
	}
	r.Usage = model.EstimateUsage(req, r.Message)
	return r
}
