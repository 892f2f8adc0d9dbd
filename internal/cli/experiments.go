package cli

import (
	"strings"

	"github.com/qdev/qdev/internal/settings"
)

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
