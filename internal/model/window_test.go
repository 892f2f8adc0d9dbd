package model

import "testing"

func TestToolUseKeepsInputAnObject(t *testing.T) {
	tests := []struct{ in, input, raw string }{
		{``, `{}`, ``},
		{"  \n", `{}`, ``},
		{`{ "a" : 1 }`, `{"a":1}`, ``},
		{`{"a":`, `{}`, `{"a":`},
		{`null`, `{}`, `null`},
		{`"str"`, `{}`, `"str"`},
		{`[1]`, `{}`, `[1]`},
	}
	for _, tt := range tests {
		b := ToolUse("id", "t", tt.in)
		if string(b.Input) != tt.input || b.RawInput != tt.raw || b.Type != ToolUseBlock {
			t.Errorf("ToolUse(%q) = %s, %q; want %s, %q", tt.in, b.Input, b.RawInput, tt.input, tt.raw)
		}
	}
}

func TestEstimates(t *testing.T) {
	if got := EstimateTokens("12345678"); got != 2 {
		t.Fatalf("EstimateTokens = %d", got)
	}
	req := &Request{System: "abcd", Messages: []Message{{Role: User, Content: []Block{{Type: TextBlock, Text: "abcdefgh"}}}}}
	u := EstimateUsage(req, Message{Role: Assistant, Content: []Block{{Type: TextBlock, Text: "abcd"}}})
	if !u.Estimated || u.InputTokens != 1+2 || u.OutputTokens != 1 {
		t.Fatalf("EstimateUsage = %+v", u)
	}
	if ContextWindow("us.anthropic.claude-sonnet-4") != 200_000 || ContextWindow("unknown") != 128_000 {
		t.Fatal("ContextWindow")
	}
}
