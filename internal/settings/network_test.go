package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/netconf/nettest"
)

// TestCABundleIsCheckedWhenSet: `q settings network.caBundle VALUE` takes
// only a usable bundle, and says which file is wrong and why.
func TestCABundleIsCheckedWhenSet(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	good := filepath.Join(home, "corp.pem")
	if err := os.WriteFile(good, nettest.NewCA(t).PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(home, "notes.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(tempPath(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{good, "~/corp.pem"} {
		if err := s.Set("network.caBundle", ok); err != nil {
			t.Errorf("Set(%q): %v", ok, err)
		}
		if got := s.String("network.caBundle", ""); got != ok {
			t.Errorf("stored %q, want %q as given", got, ok)
		}
	}
	for value, want := range map[string]string{
		"corp.pem":                         "`network.caBundle` must be an absolute path (or start with ~/), not \"corp.pem\"",
		filepath.Join(home, "missing.pem"): "CA bundle " + filepath.Join(home, "missing.pem") + " (from network.caBundle): no such file or directory",
		notPEM:                             "CA bundle " + notPEM + " (from network.caBundle): holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
	} {
		err := s.Set("network.caBundle", value)
		if err == nil || err.Error() != want {
			t.Errorf("Set(%q) = %v, want %s", value, err, want)
		}
		if err2 := s.SetValue("network.caBundle", value); err2 == nil || err2.Error() != want {
			t.Errorf("SetValue(%q) = %v, want the same error", value, err2)
		}
	}
	// A refused value leaves the previous one in place.
	if got := s.String("network.caBundle", ""); got != "~/corp.pem" || strings.Contains(got, "missing") {
		t.Errorf("after refusals the value is %q", got)
	}
}
