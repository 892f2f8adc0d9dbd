package paths

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(kv map[string]string) Getenv {
	return func(k string) string { return kv[k] }
}

func TestDirs(t *testing.T) {
	tests := []struct {
		name                 string
		env                  map[string]string
		data, config, logDir string
	}{
		{
			name:   "xdg set",
			env:    map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "/d", "XDG_CONFIG_HOME": "/c", "XDG_RUNTIME_DIR": "/run/user/1", "TMPDIR": "/t"},
			data:   "/d/qdev",
			config: "/c/qdev",
			logDir: "/run/user/1/qlog",
		},
		{
			name:   "fallbacks",
			env:    map[string]string{"HOME": "/home/u/", "TMPDIR": "/t"},
			data:   "/home/u/.local/share/qdev",
			config: "/home/u/.config/qdev",
			logDir: "/t/qlog",
		},
		{
			name:   "relative values are ignored",
			env:    map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": ".", "XDG_CONFIG_HOME": "cfg", "XDG_RUNTIME_DIR": "run", "TMPDIR": "tmp"},
			data:   "/home/u/.local/share/qdev",
			config: "/home/u/.config/qdev",
			logDir: "/tmp/qlog",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := env(tc.env)
			if got := DataDirFrom(g); got != tc.data {
				t.Errorf("DataDir = %q; want %q", got, tc.data)
			}
			if got := ConfigDirFrom(g); got != tc.config {
				t.Errorf("ConfigDir = %q; want %q", got, tc.config)
			}
			if got := LogDirFrom(g); got != tc.logDir {
				t.Errorf("LogDir = %q; want %q", got, tc.logDir)
			}
		})
	}
}

func TestHomeFallbackIsNeverRelative(t *testing.T) {
	for _, tc := range []struct{ home, tmp, want string }{
		{"", "", fmt.Sprintf("/tmp/qdev-%d", os.Getuid())},
		{"relative/home", "/var/tmp", fmt.Sprintf("/var/tmp/qdev-%d", os.Getuid())},
	} {
		g := env(map[string]string{"HOME": tc.home, "TMPDIR": tc.tmp})
		if got := HomeFrom(g); got != tc.want {
			t.Errorf("HOME=%q: Home = %q, want %q", tc.home, got, tc.want)
		}
		if d := DataDirFrom(g); d != filepath.Join(tc.want, ".local/share/qdev") {
			t.Errorf("HOME=%q: DataDir = %q", tc.home, d)
		}
	}
	// The XDG variable alone is enough: no home needed.
	if d := ConfigDirFrom(env(map[string]string{"XDG_CONFIG_HOME": "/c"})); d != "/c/qdev" {
		t.Errorf("ConfigDir without HOME = %q", d)
	}
}

func TestDefaultsReadProcessEnv(t *testing.T) {
	t.Setenv("HOME", "/h")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", "")
	if d := DataDir(); d != "/h/.local/share/qdev" {
		t.Errorf("DataDir = %q", d)
	}
	if d := ConfigDir(); d != "/cfg/qdev" {
		t.Errorf("ConfigDir = %q", d)
	}
	if d := LogDir(); d != "/tmp/qlog" {
		t.Errorf("LogDir = %q", d)
	}
	if h := Home(); h != "/h" {
		t.Errorf("Home = %q", h)
	}
}

func TestEnsureDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("mode %v, want no group/other bits", perm)
	}
	if err := EnsureDir(dir); err != nil {
		t.Errorf("second EnsureDir: %v", err)
	}

	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDir(file); err == nil {
		t.Error("EnsureDir on a regular file succeeded")
	}
}

func TestEnsureDirRefusesForeignOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a directory owned by someone else")
	}
	dir := filepath.Join(t.TempDir(), "qlog")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Skip("chown:", err)
	}
	if err := EnsureDir(dir); err == nil || !strings.Contains(err.Error(), "another user") {
		t.Errorf("EnsureDir on a foreign directory: %v", err)
	}
}
