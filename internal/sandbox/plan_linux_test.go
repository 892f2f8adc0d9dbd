//go:build linux

package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPlanMounts checks the plan without applying it (that needs a mount
// namespace): everything read-only first, then the writable paths
// writable again, then q's configuration inside them read-only, then the
// hidden paths covered, each step on the right path.
func TestPlanMounts(t *testing.T) {
	ws, tmp, outside := layout(t)
	for _, d := range []string{".git/hooks", "src"} {
		if err := os.MkdirAll(filepath.Join(ws, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret, cache := filepath.Join(outside, "credentials"), filepath.Join(outside, "cache")
	for _, f := range []string{filepath.Join(ws, ".git/config"), secret} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	c := config{
		Writable: []string{ws, tmp, filepath.Join(outside, "missing")},
		ReadOnly: []string{filepath.Join(ws, ".git/config"), filepath.Join(ws, ".git/hooks") + "/", filepath.Join(ws, ".amazonq") + "/",
			filepath.Join(ws, "src/gone"), filepath.Join(outside, "etc") + "/"},
		Hidden:  []string{secret, cache, filepath.Join(outside, "nothing")},
		Network: true,
	}
	steps, err := planMounts(c, ws)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, describe(s))
	}
	want := []string{
		"setattr / recursive +ro private",
		"bind " + ws, "setattr " + ws + " recursive -ro", "setattr " + ws + " -ro",
		"bind " + tmp, "setattr " + tmp + " recursive -ro", "setattr " + tmp + " -ro",
		"bind " + ws + "/.git", "bind " + ws + "/.git/config", "setattr " + ws + "/.git/config recursive +ro",
		"bind " + ws + "/.git/hooks", "setattr " + ws + "/.git/hooks recursive +ro",
		"bind " + ws + "/.amazonq", "setattr " + ws + "/.amazonq recursive +ro",
		"null " + secret, "tmpfs " + cache,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A missing protected directory is created empty, so that nothing can
	// be put there; a missing file, or a path outside the writable ones,
	// is left alone.
	if fi, err := os.Stat(filepath.Join(ws, ".amazonq")); err != nil || !fi.IsDir() {
		t.Errorf(".amazonq was not created: %v", err)
	}
	for _, p := range []string{filepath.Join(ws, "src/gone"), filepath.Join(outside, "etc")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was created", p)
		}
	}
	// Only the writable paths' own steps and the hiding may fail; the
	// rest must hold or the command does not run.
	for _, s := range steps {
		mayFail := s.optional || s.unreachable
		writableStep := s.clr != 0 || s.target == ws || s.target == tmp
		if mayFail != (writableStep || strings.HasPrefix(describe(s), "null ") || strings.HasPrefix(describe(s), "tmpfs ")) {
			t.Errorf("%s: optional %v, unreachable %v", describe(s), s.optional, s.unreachable)
		}
	}
}

// describe renders a step for comparison.
func describe(s mountStep) string {
	switch {
	case s.fstype == "tmpfs":
		return "tmpfs " + s.target
	case s.source == "/dev/null":
		return "null " + s.target
	case !s.setattr():
		return "bind " + s.target
	}
	d := "setattr " + s.target
	if s.atFlags&unix.AT_RECURSIVE != 0 {
		d += " recursive"
	}
	if s.set&unix.MOUNT_ATTR_RDONLY != 0 {
		d += " +ro"
	}
	if s.clr&unix.MOUNT_ATTR_RDONLY != 0 {
		d += " -ro"
	}
	if s.propag == unix.MS_PRIVATE {
		d += " private"
	}
	return d
}
