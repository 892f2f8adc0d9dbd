package e2e

import (
	"strings"
	"testing"
)

// TestResumeUsesRecordedModel: `q chat --resume` without --model continues
// with the model the conversation recorded, even when no default model is
// configured or the default names another one; --model still wins.
func TestResumeUsesRecordedModel(t *testing.T) {
	e := newEnv(t)
	s := e.openai(text("first answer"), text("second answer"), text("third answer"))
	if r := e.run("", "--model", "openai/recorded-model", "--no-interactive", "one"); r.code != 0 {
		t.Fatalf("first run: %+v", r)
	}

	r := e.run("", "chat", "--no-interactive", "--resume", "two")
	if r.code != 0 || !strings.Contains(r.stdout, "second answer") {
		t.Fatalf("resume without --model: %+v", r)
	}
	if strings.Contains(r.stderr, "no model configured") {
		t.Errorf("stderr: %s", r.stderr)
	}
	reqs := s.Requests()
	if got := reqs[1].Model; got != "recorded-model" {
		t.Errorf("resumed request went to model %q, want recorded-model", got)
	}
	if n := len(reqs[1].Messages); n != 3 {
		t.Errorf("resumed request carries %d messages, want the 2 earlier ones and the new prompt", n)
	}

	// A default model elsewhere does not take over the conversation...
	if r := e.run("", "settings", "chat.defaultModel", "anthropic/other"); r.code != 0 {
		t.Fatalf("settings: %+v", r)
	}
	if r := e.run("", "--no-interactive", "--resume", "three"); r.code != 0 || !strings.Contains(r.stdout, "third answer") {
		t.Fatalf("resume with another default model: %+v", r)
	}
	if got := s.Requests()[2].Model; got != "recorded-model" {
		t.Errorf("model %q, want recorded-model", got)
	}

	// ...but --model does.
	e.anthropic(text("switched"))
	if r := e.run("", "--model", "anthropic/claude-x", "--no-interactive", "--resume", "four"); r.code != 0 || !strings.Contains(r.stdout, "switched") {
		t.Fatalf("resume with --model: %+v", r)
	}
}
