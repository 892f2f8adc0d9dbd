package providers

import (
	"strings"
	"testing"
)

func TestSplitQModelNames(t *testing.T) {
	for ref, want := range map[string]string{
		"claude-sonnet-4.5":  "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"Claude-Sonnet-4":    "us.anthropic.claude-sonnet-4-20250514-v1:0",
		"claude-4-sonnet":    "us.anthropic.claude-sonnet-4-20250514-v1:0",
		"claude-3.7-sonnet":  "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
		" claude-haiku-4.5 ": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
	} {
		p, id, err := Split(ref)
		if err != nil || p != "bedrock" || id != want {
			t.Errorf("Split(%q) = %s, %s, %v; want bedrock, %s", ref, p, id, err, want)
		}
	}
	for _, name := range QModels {
		if _, _, err := Split(name); err != nil {
			t.Errorf("offered name %s does not resolve: %v", name, err)
		}
	}
	if p, id, err := Split("openai/gpt-4o"); err != nil || p != "openai" || id != "gpt-4o" {
		t.Errorf("provider reference: %s %s %v", p, id, err)
	}
	for _, bad := range []string{"auto", "gpt-4o", "nope/x", "openai/"} {
		if _, _, err := Split(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("Split(%q) = %v", bad, err)
		}
	}
}
