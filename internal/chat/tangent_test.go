package chat

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
)

func msg(role model.Role, blocks ...model.Block) model.Message {
	return model.Message{Role: role, Content: blocks}
}

func textBlock(s string) model.Block { return model.Block{Type: model.TextBlock, Text: s} }

func TestTangentLeavesTheMainConversationAlone(t *testing.T) {
	var out bytes.Buffer
	var saved []*agent.Conversation
	conv := agent.NewConversation("m", "q_cli_default", "/w")
	conv.Messages = []model.Message{msg(model.User, textBlock("main q")), msg(model.Assistant, textBlock("main a"))}
	a := agent.New(agent.Options{Conv: conv, Save: func(c *agent.Conversation) error { return nil }})
	s := &Session{Agent: a, Info: &out, TangentMode: true,
		SaveConversation: func(c *agent.Conversation) error { saved = append(saved, c); return nil }}
	ctx := context.Background()

	_ = s.cmdTangent(ctx, nil)
	if s.tangent == nil || a.Saving() || !strings.Contains(s.prompt(), "↯ tangent") {
		t.Fatalf("not in a tangent: %q", out.String())
	}
	// A turn on the side, with a tool call in it.
	conv.Messages = append(conv.Messages,
		msg(model.User, textBlock("side q"), textBlock("Additional context from hooks: x")),
		msg(model.Assistant, model.Block{Type: model.ToolUseBlock, ToolUseID: "1", Name: "fs_read"}),
		msg(model.User, model.Block{Type: model.ToolResultBlock, ToolUseID: "1"}),
		msg(model.Assistant, textBlock("side a")))
	conv.Turns += 2
	s.save() // e.g. /load: never stores the tangent
	if len(saved) != 0 {
		t.Fatal("the tangent was saved")
	}
	_ = s.cmdTangent(ctx, nil)
	if s.tangent != nil || !a.Saving() || len(conv.Messages) != 2 || conv.Turns != 2 {
		t.Fatalf("after leaving: %d messages, %d turns, %s", len(conv.Messages), conv.Turns, out.String())
	}
	if len(saved) != 1 || len(saved[0].Messages) != 2 {
		t.Fatal("the main conversation was not saved back")
	}

	_ = s.cmdTangent(ctx, nil)
	conv.Messages = append(conv.Messages, msg(model.User, textBlock("side q")),
		msg(model.Assistant, model.Block{Type: model.ToolUseBlock, ToolUseID: "1", Name: "fs_read"}),
		msg(model.User, model.Block{Type: model.ToolResultBlock, ToolUseID: "1"}),
		msg(model.Assistant, textBlock("side a")))
	_ = s.cmdTangent(ctx, []string{"tail"})
	if n := len(conv.Messages); n != 4 || conv.Messages[2].Text() != "side q" || conv.Messages[3].Text() != "side a" {
		t.Fatalf("tail kept %v", conv.Messages)
	}
	if !strings.Contains(out.String(), "with the tangent's last question and answer") {
		t.Fatalf("%s", out.String())
	}
}

func TestTangentCommandErrors(t *testing.T) {
	var out bytes.Buffer
	s := &Session{Agent: agent.New(agent.Options{Conv: agent.NewConversation("m", "", "/w")}), Info: &out}
	_ = s.cmdTangent(context.Background(), nil)
	if !strings.Contains(out.String(), "q settings chat.enableTangentMode true") {
		t.Fatalf("off: %q", out.String())
	}
	s.TangentMode = true
	for args, want := range map[string]string{"tail": "Not in a tangent", "bogus": "Usage: /tangent [tail]"} {
		out.Reset()
		_ = s.cmdTangent(context.Background(), []string{args})
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: %q", args, out.String())
		}
	}
	out.Reset()
	_ = s.cmdTangent(context.Background(), nil)
	_ = s.cmdTangent(context.Background(), []string{"tail"})
	if !strings.Contains(out.String(), "no answer to keep") {
		t.Errorf("empty tangent tail: %q", out.String())
	}
}
