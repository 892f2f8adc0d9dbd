package modeltest

import (
	"strings"
	"testing"
)

// Turns with a Conversation answer only the requests of that
// conversation, in their order, however the conversations interleave;
// turns without one answer any request, as before.
func TestConversationsGetTheirOwnTurns(t *testing.T) {
	s := NewOpenAI(
		Turn{Text: []string{"A1"}, Conversation: "task A"},
		Turn{Text: []string{"B1"}, Conversation: "task B"},
		Turn{Text: []string{"A2"}, Conversation: "task A"},
		Turn{Text: []string{"any"}},
	)
	defer s.Close()
	body := func(first string) string {
		return `{"model":"m","stream":true,"messages":[{"role":"user","content":"` + first + `"},{"role":"assistant","content":"x"},{"role":"user","content":"task B"}]}`
	}
	var got []string
	for _, first := range []string{"do task B now", "do task A now", "do task A now", "do task B now", "do task B now"} {
		_, _, data := postSSE(t, s.URL+"/chat/completions", body(first), nil)
		text := ""
		for _, d := range data {
			for _, w := range []string{"A1", "A2", "B1", "any"} {
				if strings.Contains(d, `"content":"`+w+`"`) {
					text = w
				}
			}
		}
		got = append(got, text)
	}
	// The later messages say "task B" too: only the first user message counts.
	if strings.Join(got, ",") != "B1,A1,A2,any," {
		t.Fatalf("answers %v", got)
	}
	if v := s.Violations(); len(v) != 1 || !strings.Contains(v[0], "request 5: script exhausted") {
		t.Fatalf("violations %v", v)
	}
}
