package logging

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLevel(t *testing.T) {
	tests := []struct {
		env       string
		verbosity int
		want      slog.Level
	}{
		{"", 0, slog.LevelError},
		{"error", 0, slog.LevelError},
		{"warn", 0, slog.LevelWarn},
		{"INFO", 0, slog.LevelInfo},
		{" debug ", 0, slog.LevelDebug},
		{"trace", 0, LevelTrace},
		{"verbose", 0, slog.LevelError}, // invalid falls back to error
		{"", 1, slog.LevelWarn},
		{"", 2, slog.LevelInfo},
		{"", 3, slog.LevelDebug},
		{"", 4, LevelTrace},
		{"", 9, LevelTrace},
		{"debug", 1, slog.LevelDebug}, // the more verbose wins
		{"warn", 3, slog.LevelDebug},
		{"bogus", 2, slog.LevelInfo},
	}
	for _, tc := range tests {
		if got := Level(tc.env, tc.verbosity); got != tc.want {
			t.Errorf("Level(%q, %d) = %v, want %v", tc.env, tc.verbosity, got, tc.want)
		}
	}
}

// setupIn points the log directory at a fresh temp dir and returns the log
// file path.
func setupIn(t *testing.T, level string) string {
	t.Helper()
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	t.Setenv(EnvVar, level)
	path := filepath.Join(run, "qlog", FileName)
	if FilePath() != path {
		t.Fatalf("FilePath = %q, want %q", FilePath(), path)
	}
	return path
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestQuietRunTouchesNoDisk(t *testing.T) {
	path := setupIn(t, "")
	logger, closeLog, err := Setup(0)
	if err != nil {
		t.Fatal(err)
	}
	logger.Warn("not at error level")
	logger.Debug("nor this")
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("log directory exists after a quiet run: %v", err)
	}
}

func TestDefaultLevelWritesErrorsOnly(t *testing.T) {
	path := setupIn(t, "")
	logger, closeLog, _ := Setup(0)
	logger.Info("info record")
	logger.Error("error record", "file", "/x")
	closeLog()
	got := read(t, path)
	if !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "error record") || strings.Contains(got, "info record") {
		t.Errorf("log = %q", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(filepath.Dir(path))
	if di.Mode().Perm()&0o077 != 0 {
		t.Errorf("log directory mode %v, want 0700", di.Mode().Perm())
	}
}

func TestDebugAndTrace(t *testing.T) {
	for _, tc := range []struct {
		env       string
		verbosity int
		trace     bool
	}{
		{"debug", 0, false},
		{"trace", 0, true},
		{"", 3, false},
		{"", 4, true},
	} {
		path := setupIn(t, tc.env)
		logger, closeLog, _ := Setup(tc.verbosity)
		logger.Debug("debug record")
		Trace(logger, "trace record", "n", 1)
		closeLog()
		got := read(t, path)
		if !strings.Contains(got, "level=DEBUG msg=\"debug record\"") {
			t.Errorf("%q/-v×%d: no debug record in %q", tc.env, tc.verbosity, got)
		}
		hasTrace := strings.Contains(got, "level=TRACE msg=\"trace record\" n=1")
		if hasTrace != tc.trace {
			t.Errorf("%q/-v×%d: trace record present = %v, want %v; log %q", tc.env, tc.verbosity, hasTrace, tc.trace, got)
		}
	}
}

func TestAppendsAndTruncatesLargeLog(t *testing.T) {
	path := setupIn(t, "")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("earlier run\n"), 0o644)
	logger, closeLog, _ := Setup(0)
	logger.Error("second run")
	closeLog()
	got := read(t, path)
	if !strings.HasPrefix(got, "earlier run\n") || !strings.Contains(got, "second run") {
		t.Errorf("small log not appended to: %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing log mode %v, want 0600", fi.Mode().Perm())
	}

	big := make([]byte, maxSize+1)
	os.WriteFile(path, big, 0o600)
	logger, closeLog, _ = Setup(0)
	logger.Error("after truncation")
	closeLog()
	got = read(t, path)
	if len(got) > 1000 || !strings.Contains(got, "after truncation") {
		t.Errorf("large log not emptied: %d bytes", len(got))
	}
}

func TestOpenFailureIsReported(t *testing.T) {
	run := t.TempDir()
	// A file where the qlog directory should be.
	os.WriteFile(filepath.Join(run, "qlog"), nil, 0o600)
	t.Setenv("XDG_RUNTIME_DIR", run)
	t.Setenv(EnvVar, "")
	logger, closeLog, _ := Setup(0)
	logger.Error("dropped") // must not panic
	if err := closeLog(); err == nil || !strings.Contains(err.Error(), "qlog") {
		t.Errorf("close error = %v, want the open failure", err)
	}
}

func TestSecretsAreMaskedInTheLog(t *testing.T) {
	path := setupIn(t, "info")
	logger, closeLog, _ := Setup(0)
	const pw, token = "hunter2Xq9", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
	logger.Info("running mysql -u root -p"+pw+" shop", "command", "curl -H 'Authorization: Bearer "+token+"'",
		"password", pw, "err", errors.New("login failed for https://bob:"+pw+"@git.example.com"), "tokens", 12)
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
	out := read(t, path)
	if strings.Contains(out, pw) || strings.Contains(out, token) {
		t.Fatalf("a secret reached the log:\n%s", out)
	}
	if !strings.Contains(out, "tokens=12") || !strings.Contains(out, "password=***") {
		t.Errorf("log lost what is not secret:\n%s", out)
	}
}
