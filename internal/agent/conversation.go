// Package agent runs the turn loop: it sends the conversation to the model,
// executes the tool calls the model asks for (after the permission layer
// agrees), sends the results back, and repeats until the model stops. It does
// no terminal I/O: the chat session observes it through Observer and answers
// approval questions through Approver.
package agent

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/qdev/qdev/internal/jsonerr"
	"github.com/qdev/qdev/internal/model"
)

// Conversation is the persistent state of one chat.
type Conversation struct {
	ID string `json:"id"`
	// Model is the provider/model reference in use, e.g. "bedrock/anthropic.claude-…".
	Model string `json:"model"`
	Agent string `json:"agent,omitempty"`
	Cwd   string `json:"cwd"`
	// Messages alternate user and assistant; tool results travel in user messages.
	Messages []model.Message `json:"messages"`
	// Summary is the latest compaction summary; it replaces the history it summarised.
	Summary string `json:"summary,omitempty"`
	// Usage adds up what the provider reported over the whole conversation.
	Usage model.Usage `json:"usage"`
	// LastInput is the input size of the latest model call, as reported (or
	// estimated), and LastMark is len(Messages) right after that call's answer.
	LastInput int `json:"lastInput"`
	LastMark  int `json:"lastMark"`
	// Turns counts model calls.
	Turns int `json:"turns"`
}

// NewConversation returns an empty conversation with a fresh random id.
func NewConversation(modelRef, agentName, cwd string) *Conversation {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &Conversation{ID: hex.EncodeToString(b[:]), Model: modelRef, Agent: agentName, Cwd: cwd}
}

// Decode parses a conversation saved with Encode.
func Decode(data []byte) (*Conversation, error) {
	var c Conversation
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("not a conversation saved by q: %w", jsonerr.Explain(data, err))
	}
	if c.ID == "" {
		return nil, fmt.Errorf("not a conversation saved by q: it has no id")
	}
	return &c, nil
}

// Encode serialises c.
func (c *Conversation) Encode() ([]byte, error) { return json.Marshal(c) }

// Clear forgets the history, keeping the identity of the conversation.
func (c *Conversation) Clear() {
	c.Messages, c.Summary, c.LastInput, c.LastMark = nil, "", 0, 0
}

// Transcript renders the conversation as plain text, for issue reports and
// compaction fallbacks.
func (c *Conversation) Transcript() string {
	var s string
	if c.Summary != "" {
		s += "[summary of earlier conversation]\n" + c.Summary + "\n\n"
	}
	for _, m := range c.Messages {
		for _, b := range m.Content {
			switch b.Type {
			case model.TextBlock:
				s += fmt.Sprintf("%s: %s\n", m.Role, b.Text)
			case model.ToolUseBlock:
				s += fmt.Sprintf("%s: [tool %s %s]\n", m.Role, b.Name, b.Input)
			case model.ToolResultBlock:
				s += fmt.Sprintf("%s: [result of %s]\n", m.Role, b.ToolUseID)
			}
		}
	}
	return s
}

// normalize returns msgs ready to send: consecutive messages of one role are
// merged (an interrupted turn can leave two user messages in a row, which
// Bedrock and Anthropic reject), empty messages dropped, and the sequence
// starts with a user message.
func normalize(msgs []model.Message) []model.Message {
	out := make([]model.Message, 0, len(msgs))
	for _, m := range msgs {
		if len(m.Content) == 0 {
			continue
		}
		if len(out) == 0 && m.Role != model.User {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Role == m.Role {
			merged := append(append([]model.Block(nil), out[n-1].Content...), m.Content...)
			out[n-1] = model.Message{Role: m.Role, Content: merged}
			continue
		}
		out = append(out, m)
	}
	return out
}

// interruptedText is the tool result of a call that never finished, e.g.
// because q was killed while it ran.
const interruptedText = "The tool call was interrupted before it finished; its effects are unknown."

// repairPairs makes every tool_use answered by a tool_result in the next
// message, and drops results that answer nothing, so a conversation saved in
// the middle of a turn can always be sent again.
func repairPairs(msgs []model.Message) []model.Message {
	out := make([]model.Message, 0, len(msgs)+1)
	for i := 0; i < len(msgs); i++ {
		m := msgs[i]
		if m.Role == model.User {
			// Results not preceded by their tool_use are dropped.
			var prevUses []model.Block
			if len(out) > 0 && out[len(out)-1].Role == model.Assistant {
				prevUses = out[len(out)-1].ToolUses()
			}
			m = model.Message{Role: m.Role, Content: keepAnswering(m.Content, prevUses)}
			out = append(out, m)
			continue
		}
		out = append(out, m)
		uses := m.ToolUses()
		if len(uses) == 0 {
			continue
		}
		var next model.Message
		if i+1 < len(msgs) && msgs[i+1].Role == model.User {
			next = msgs[i+1]
			i++
		} else {
			next = model.Message{Role: model.User}
		}
		have := map[string]bool{}
		for _, b := range next.Content {
			if b.Type == model.ToolResultBlock {
				have[b.ToolUseID] = true
			}
		}
		var missing []model.Block
		for _, u := range uses {
			if !have[u.ToolUseID] {
				missing = append(missing, resultBlock(u.ToolUseID, interruptedText, true))
			}
		}
		content := keepAnswering(next.Content, uses)
		// Results come first: Anthropic requires tool_result blocks to lead the message.
		out = append(out, model.Message{Role: model.User, Content: append(missing, content...)})
	}
	return out
}

func keepAnswering(content []model.Block, uses []model.Block) []model.Block {
	ids := map[string]bool{}
	for _, u := range uses {
		ids[u.ToolUseID] = true
	}
	kept := make([]model.Block, 0, len(content))
	for _, b := range content {
		if b.Type == model.ToolResultBlock && !ids[b.ToolUseID] {
			continue
		}
		kept = append(kept, b)
	}
	return kept
}

func resultBlock(id, text string, isErr bool) model.Block {
	return model.Block{Type: model.ToolResultBlock, ToolUseID: id, IsError: isErr,
		Content: []model.Block{{Type: model.TextBlock, Text: text}}}
}
