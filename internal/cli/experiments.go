package cli

import (
	"context"
	"strings"

	"github.com/qdev/qdev/internal/chat"
	"github.com/qdev/qdev/internal/checkpoint"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/settings"
)

// checkpoints opens the workspace's checkpoint store when the
// chat.enableCheckpoint experiment is on; nil when it is off or cannot
// work here (no git, the home directory), which is said once.
func (s *setup) checkpoints(ctx context.Context) *checkpoint.Store {
	if !s.settings.Bool(settings.ExperimentCheckpoint, false) {
		return nil
	}
	st, err := checkpoint.Open(ctx, paths.DataDir(), s.cwd, s.home)
	if err != nil {
		s.warn("%v", err)
		return nil
	}
	return st
}

// tangentKey is the letter that with Ctrl toggles a tangent, or 0 when the
// chat.enableTangentMode experiment is off. A chat.tangentModeKey that is
// not one letter falls back to t, with a warning.
func (s *setup) tangentKey() rune {
	if !s.settings.Bool(settings.ExperimentTangent, false) {
		return 0
	}
	key := s.settings.String("chat.tangentModeKey", "t")
	if r := []rune(strings.ToLower(key)); len(r) == 1 && r[0] >= 'a' && r[0] <= 'z' {
		return r[0]
	}
	s.warn("chat.tangentModeKey %q is not one letter; Ctrl-T toggles tangent mode", key)
	return 't'
}

// recordAction puts a, something the user asked q itself to do, on the
// audit trail before it runs, as the session's tool calls are.
func (s *setup) recordAction(a chat.Action) (func(map[string]any, error), error) {
	return s.calls.Action(a.Tool, a.Event, a.Params)
}

// checkExperiments lists the Q CLI's experiments and whether each is on,
// for q doctor.
func checkExperiments(r *doctorReport, st *settings.Settings) {
	var on []string
	for _, e := range settings.Experiments() {
		state := "off"
		if st != nil && st.Bool(e.Key, false) {
			state = "on"
			on = append(on, e.Name)
		}
		r.add("Experiments", e.Name, statusInfo, "%s (%s)", state, e.Key)
	}
	if len(on) == 0 {
		on = []string{"none"}
	}
	r.add("Experiments", "enabled", statusInfo, "%s", strings.Join(on, ", "))
}
