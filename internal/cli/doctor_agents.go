package cli

import (
	"os"
	"strings"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/paths"
)

// checkAgents reports the agent files of this directory and the user's,
// those that do not load, and the legacy context files awaiting migration.
func checkAgents(r *doctorReport) {
	const sec = "Agents"
	home := paths.Home()
	cwd, err := os.Getwd()
	if err != nil {
		cwd = home
	}
	l := agentcfg.Load(agentcfg.Dirs(cwd, home))
	r.add(sec, "agent files", statusOK, "%s loaded from %s", plural(len(l.Agents), "agent"), strings.Join(agentcfg.Dirs(cwd, home), ", "))
	for _, inv := range l.Invalid {
		r.add(sec, "agent file", statusWarn, "%s is invalid (sessions refuse it): %s", inv.Path, firstProblem(inv))
	}
	if pending := contextfiles.LoadLegacyState(paths.DataDir()).Pending(home); len(pending) > 0 {
		r.add(sec, "legacy profiles", statusWarn, "%s await migration; sessions do not use them: run q agent migrate",
			strings.Join(pending, ", "))
	} else {
		r.add(sec, "legacy profiles", statusOK, "none awaiting migration")
	}
}

// firstProblem is the first line of why inv does not load, and how many
// more there are.
func firstProblem(inv agentcfg.InvalidFile) string {
	lines := inv.Lines()
	if len(lines) > 2 {
		return lines[0] + " (and " + plural(len(lines)-2, "more problem") + "; q agent validate --path " + inv.Path + ")"
	}
	return lines[0]
}
