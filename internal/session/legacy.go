package session

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/contextfiles"
	"github.com/qdev/qdev/internal/paths"
)

// legacyState is the record of how the legacy context files are treated.
func legacyState() *contextfiles.LegacyState {
	return contextfiles.LoadLegacyState(paths.DataDir())
}

// loadLegacy reads the session's legacy profile context: the profile
// chosen with --profile (b.legacyProfile), used as it is, or the default
// profile, of which only the files qdev's /context commands wrote are
// used; files an older Q CLI left await migration instead.
func (b *Builder) loadLegacy() *contextfiles.LegacyContext {
	legacy, err := contextfiles.LoadLegacy(b.home, b.legacyProfile)
	if err != nil {
		b.warn("%v", err)
		legacy, _ = contextfiles.LoadLegacy(filepath.Join(b.home, ".nonexistent"), b.legacyProfile)
	}
	legacy.Use(legacyState(), b.legacyProfile != "")
	return legacy
}

// legacyProfileExists reports whether ~/.aws/amazonq/profiles/NAME is a
// directory (the Q CLI's test for a profile).
func legacyProfileExists(home, name string) bool {
	if agentcfg.CheckName(name) != nil {
		return false
	}
	st, err := os.Stat(filepath.Join(contextfiles.ProfilesDir(home), name))
	return err == nil && st.IsDir()
}

// offerMigration asks once, when an interactive session starts, whether
// to migrate the legacy files awaiting migration, as the Q CLI asks
// ("Legacy profiles detected"). Either answer is remembered; q agent
// migrate and q doctor remain.
func (s *Session) offerMigration() {
	st := legacyState()
	if st.Offered || s.o.NoInteractive || s.o.In == nil || !term.IsTerminal(int(s.o.In.Fd())) {
		return
	}
	pending := st.Pending(s.home)
	if len(pending) == 0 {
		return
	}
	st.Offered = true
	if err := st.Save(); err != nil {
		s.Warn("could not record the migration offer: %v", err)
	}
	var out strings.Builder
	s.notify("Legacy profiles detected (%s). Sessions do not use them.\n", strings.Join(pending, ", "))
	s.notify("Migrate them to agents now, as q agent migrate does? [y/N]: ")
	switch strings.ToLower(strings.TrimSpace(readLine(s.o.In))) {
	case "y", "yes":
		err := MigrateLegacy(s.home, false, &out)
		s.notify("%s", out.String())
		if err != nil {
			s.Warn("migration failed: %v", err)
		}
	default:
		s.notify("Not migrated; run q agent migrate when you want to (q doctor lists the files).\n")
	}
	s.notify("\n")
}

// MigrateLegacy turns the legacy profiles of home into agents in the
// global agent directory (an existing agent file is kept unless force),
// reports each agent on out and records that the migration was done.
func MigrateLegacy(home string, force bool, out io.Writer) error {
	done, err := contextfiles.Migrate(home, agentcfg.GlobalDir(home), force)
	for _, m := range done {
		if m.Kept {
			fmt.Fprintf(out, "Kept the existing agent %s (%s); --force replaces it.\n", m.Name, m.Path)
		} else {
			fmt.Fprintf(out, "✓ Migrated agent %s to %s\n", m.Name, m.Path)
		}
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintln(out, "Nothing to migrate.")
	}
	st := legacyState()
	st.Migrated, st.Offered = true, true
	return st.Save()
}
