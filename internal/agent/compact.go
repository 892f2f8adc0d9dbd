package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

// summaryPrompt asks for the summary that replaces compacted history; the
// wording follows the Q CLI's so models behave alike.
const summaryPrompt = `[SYSTEM NOTE: This is an automated summarization request, not from the user]

Summarize the conversation so far so that it can replace the full history. Do not call any tools.
Write a bullet list with these sections:
## CONVERSATION SUMMARY
(the user's goals, decisions taken, important facts, file paths and code identifiers)
## TOOLS EXECUTED
(what was run or changed, with results that still matter)
## OPEN ITEMS
(what remains to be done)`

// truncateAt is the length large messages are cut to when even the summary
// request would not fit (the Q CLI's value).
const truncateAt = 25_000

// ContextTokens estimates how many tokens the next request would use: the
// provider's count for the last call plus an estimate of what came after.
func (a *Agent) ContextTokens() int {
	c := a.o.Conv
	if c.LastInput > 0 && c.LastMark <= len(c.Messages) {
		return c.LastInput + model.EstimateMessages("", c.Messages[c.LastMark:], nil)
	}
	req := a.request(c.Messages)
	return model.EstimateMessages(req.System, req.Messages, req.Tools)
}

// maybeCompact compacts before a call that would come close to the window,
// instead of waiting for the provider to refuse it.
func (a *Agent) maybeCompact(ctx context.Context) error {
	if a.o.AutoCompactPercent <= 0 || a.o.Window <= 0 {
		return nil
	}
	used := a.ContextTokens()
	if used*100 < a.o.Window*a.o.AutoCompactPercent {
		return nil
	}
	a.observer().Notice(fmt.Sprintf("Context is at %d%% of the model's window; compacting the conversation.", used*100/a.o.Window))
	return a.compact(ctx, "", true)
}

// Compact summarises the whole history and replaces it with the summary,
// which it returns. instructions, if any, steer the summary.
func (a *Agent) Compact(ctx context.Context, instructions string) (string, error) {
	defer a.Flush()
	if len(a.o.Conv.Messages) == 0 {
		return "", errors.New("nothing to compact: the conversation is empty")
	}
	if err := a.compact(ctx, instructions, false); err != nil {
		return "", err
	}
	return a.o.Conv.Summary, nil
}

// compact summarises history. With keepTurn, the current turn (from the last
// user prompt on) is kept verbatim so the work in progress continues.
func (a *Agent) compact(ctx context.Context, instructions string, keepTurn bool) error {
	msgs := a.o.Conv.Messages
	cut := len(msgs)
	if keepTurn {
		cut = lastPrompt(msgs)
	}
	if cut == 0 {
		// The current turn alone is too large: shrink its big blocks instead.
		a.o.Conv.Messages = truncateLarge(msgs, truncateAt)
		a.o.Conv.LastInput = 0
		a.save()
		return nil
	}
	prompt := summaryPrompt
	if a.o.Conv.Summary != "" {
		prompt += "\n\nThe previous summary, to merge into the new one:\n" + a.o.Conv.Summary
	}
	if instructions != "" {
		prompt += "\n\nIMPORTANT CUSTOM INSTRUCTION: " + instructions
	}
	history := append(model.CloneMessages(msgs[:cut]), model.Message{Role: model.User,
		Content: []model.Block{{Type: model.TextBlock, Text: prompt}}})
	summary, err := a.summarize(ctx, history)
	if err != nil && model.KindOf(err) == model.KindContextOverflow {
		summary, err = a.summarize(ctx, truncateLarge(history, truncateAt))
	}
	if err != nil {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		return fmt.Errorf("compacting the conversation: %w", err)
	}
	a.o.Conv.Summary = summary
	a.o.Conv.Messages = append([]model.Message(nil), msgs[cut:]...)
	a.o.Conv.LastInput, a.o.Conv.LastMark = 0, 0
	a.save()
	return nil
}

func (a *Agent) summarize(ctx context.Context, history []model.Message) (string, error) {
	req := a.request(history)
	resp, err := a.o.Provider.Stream(ctx, req, func(model.Event) {})
	if err != nil {
		a.o.Conv.Turns++
		return "", err
	}
	a.count(req, resp)
	s := strings.TrimSpace(resp.Message.Text())
	if s == "" {
		return "", errors.New("the model returned an empty summary")
	}
	return s, nil
}

// lastPrompt returns the index of the last user message that carries a
// prompt rather than only tool results.
func lastPrompt(msgs []model.Message) int {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role != model.User {
			continue
		}
		for _, b := range msgs[i].Content {
			if b.Type == model.TextBlock || b.Type == model.ImageBlock {
				return i
			}
		}
	}
	return 0
}

func truncateLarge(msgs []model.Message, limit int) []model.Message {
	out := model.CloneMessages(msgs)
	for i := range out {
		for j, b := range out[i].Content {
			out[i].Content[j] = truncateBlock(b, limit)
		}
	}
	return out
}

func truncateBlock(b model.Block, limit int) model.Block {
	if len(b.Text) > limit {
		b.Text = b.Text[:limit] + "\n[truncated to fit the context window]"
	}
	if len(b.Content) > 0 {
		inner := make([]model.Block, len(b.Content))
		for i, c := range b.Content {
			inner[i] = truncateBlock(c, limit)
		}
		b.Content = inner
	}
	return b
}
