package chat

import (
	"context"
	"fmt"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/model"
)

// tangent is a side conversation (/tangent, the chat.enableTangentMode
// experiment): it starts from the main conversation's context, and
// leaving it puts the main conversation back as it was, so nothing asked
// on the side reaches it unless /tangent tail keeps the last answer.
type tangent struct {
	// main is the main conversation as it was when the tangent began.
	main    agent.Conversation
	started time.Time
}

func (s *Session) cmdTangent(_ context.Context, args []string) error {
	if !s.TangentMode {
		fmt.Fprintln(s.Info, "Tangent mode is off. It is an experiment: turn it on with `q settings chat.enableTangentMode true` and start a new session.")
		return nil
	}
	tail := len(args) == 1 && args[0] == "tail"
	switch {
	case len(args) > 0 && !tail:
		fmt.Fprintln(s.Info, "Usage: /tangent [tail]")
	case s.tangent == nil && tail:
		fmt.Fprintln(s.Info, "Not in a tangent: /tangent starts one.")
	case s.tangent == nil:
		s.enterTangent()
	default:
		s.leaveTangent(tail)
	}
	return nil
}

func (s *Session) enterTangent() {
	a := s.Agent
	// Saving is off during the tangent: the side conversation must never
	// be stored in place of the main one.
	a.SetSaving(false)
	conv := a.Conversation()
	s.tangent = &tangent{main: *conv, started: time.Now()}
	// The side conversation shares the main one's messages up to here; a
	// capacity of exactly their number makes its first append copy them.
	conv.Messages = conv.Messages[:len(conv.Messages):len(conv.Messages)]
	st := newStyles(s.Color)
	fmt.Fprintf(s.Info, "%s↯ Tangent: a side conversation from here. /tangent returns to the main conversation without it; /tangent tail keeps the last answer.%s\n", st.yellow, st.reset)
}

func (s *Session) leaveTangent(keepTail bool) {
	a, t := s.Agent, s.tangent
	a.Flush()
	side := *a.Conversation()
	main := t.main
	// Model calls made on the side count for the session; the model and
	// agent in use stay what they are now.
	main.Usage, main.Turns, main.Model, main.Agent = side.Usage, side.Turns, side.Model, side.Agent
	kept := false
	if keepTail {
		if q, ans, ok := lastExchange(side.Messages); ok {
			main.Messages = append(main.Messages[:len(main.Messages):len(main.Messages)],
				model.Message{Role: model.User, Content: []model.Block{{Type: model.TextBlock, Text: q}}},
				model.Message{Role: model.Assistant, Content: []model.Block{{Type: model.TextBlock, Text: ans}}})
			kept = true
		}
	}
	*a.Conversation() = main
	a.SetSaving(true)
	s.tangent = nil
	s.save()
	msg := "Back to the main conversation; the tangent is left out of it"
	switch {
	case kept:
		msg = "Back to the main conversation, with the tangent's last question and answer"
	case keepTail:
		msg = "Back to the main conversation; the tangent had no answer to keep"
	}
	st := newStyles(s.Color)
	fmt.Fprintf(s.Info, "%s%s (%s on the side).%s\n", st.yellow, msg, time.Since(t.started).Round(time.Second), st.reset)
}

// lastExchange finds the last question typed and the final answer to it:
// the text of the last user message that is not tool results, and the
// text of the last assistant message after it.
func lastExchange(msgs []model.Message) (question, answer string, ok bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Role == model.Assistant && answer == "" {
			answer = m.Text()
			continue
		}
		if m.Role == model.User && answer != "" && !hasToolResults(m) {
			if q := firstText(m); q != "" {
				return q, answer, true
			}
		}
	}
	return "", "", false
}

// firstText is the text the user typed: hooks' context comes after it.
func firstText(m model.Message) string {
	for _, b := range m.Content {
		if b.Type == model.TextBlock {
			return b.Text
		}
	}
	return ""
}

func hasToolResults(m model.Message) bool {
	for _, b := range m.Content {
		if b.Type == model.ToolResultBlock {
			return true
		}
	}
	return false
}
