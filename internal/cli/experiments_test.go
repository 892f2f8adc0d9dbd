package cli

import (
	"testing"

	"github.com/qdev/qdev/internal/settings"
)

func TestDoctorListsExperiments(t *testing.T) {
	s := newDoctorSetup(t, `{"chat.defaultModel": "openai/gpt-4.1", "chat.enableCheckpoint": true, "chat.enableTangentMode": true}`)
	out, code := s.run()
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"Experiments\n",
		"• Checkpoint: on (chat.enableCheckpoint)",
		"• Tangent Mode: on (chat.enableTangentMode)",
		"• Knowledge: off (chat.enableKnowledge)",
		"• enabled: Tangent Mode, Checkpoint",
	)
	s = newDoctorSetup(t, `{"chat.defaultModel": "openai/gpt-4.1"}`)
	out, _ = s.run()
	wantLines(t, out, "• enabled: none")
}

func TestExperimentsAreBooleanSettings(t *testing.T) {
	for _, e := range settings.Experiments() {
		k, ok := settings.Lookup(e.Key)
		if !ok || k.Type != settings.Bool || k.Default != false {
			t.Errorf("experiment %s: setting %s is %+v, known %v", e.Name, e.Key, k, ok)
		}
	}
}
