// Package logging sets up qdev's log: a private file under paths.LogDir,
// written through log/slog at the level chosen by Q_LOG_LEVEL and -v flags.
package logging

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/paths"
)

// LevelTrace is below slog.LevelDebug, for the Q CLI's "trace" level.
const LevelTrace = slog.Level(-8)

// EnvVar is the environment variable that selects the log level.
const EnvVar = "Q_LOG_LEVEL"

// FileName is the chat log's name inside paths.LogDir, as in the Q CLI.
const FileName = "qchat.log"

// maxSize is the size above which the log is emptied when q starts.
const maxSize = 10 << 20

// FilePath returns the path of the log file: <LogDir>/qchat.log.
func FilePath() string {
	return filepath.Join(paths.LogDir(), FileName)
}

// Level returns the level for a Q_LOG_LEVEL value (error, warn, info, debug
// or trace, any case; anything else counts as error) and a count of -v flags
// (1 warn, 2 info, 3 debug, 4 or more trace), whichever is more verbose.
func Level(env string, verbosity int) slog.Level {
	level := slog.LevelError
	switch strings.ToLower(strings.TrimSpace(env)) {
	case "warn", "warning":
		level = slog.LevelWarn
	case "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "trace":
		level = LevelTrace
	}
	byFlags := slog.LevelError
	switch {
	case verbosity >= 4:
		byFlags = LevelTrace
	case verbosity == 3:
		byFlags = slog.LevelDebug
	case verbosity == 2:
		byFlags = slog.LevelInfo
	case verbosity == 1:
		byFlags = slog.LevelWarn
	}
	return min(level, byFlags)
}

// Setup returns a logger writing text records to FilePath at the level of
// Level(os.Getenv("Q_LOG_LEVEL"), verbosity), and a function that closes
// the file. The file and its directory (0700) are created only when the
// first record at or above the level is written, so a run that logs nothing
// never touches the disk; the file is created 0600 (logs hold paths, code
// and command output), appended to, and emptied first if it has grown past
// 10 MiB. Failing to open it does not fail the run: records are dropped and
// the close function reports the failure. The error result is reserved; it
// is nil today. Setup does not change slog's default logger.
func Setup(verbosity int) (*slog.Logger, func() error, error) {
	w := &lazyFile{path: FilePath()}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{
		Level:       Level(os.Getenv(EnvVar), verbosity),
		ReplaceAttr: replaceAttr,
	})
	return slog.New(h), w.Close, nil
}

// replaceAttr names the trace level and masks secrets, so that no log line
// keeps a password or token a command line or tool output carried: values
// of attributes named like secrets wholly, others as audit.RedactString
// finds them.
func replaceAttr(groups []string, a slog.Attr) slog.Attr {
	a = nameTrace(groups, a)
	var s string
	switch a.Value.Kind() {
	case slog.KindString:
		s = a.Value.String()
	case slog.KindAny:
		s = fmt.Sprint(a.Value.Any())
	default:
		return a
	}
	if audit.SecretName(a.Key) {
		a.Value = slog.StringValue(audit.Mask)
	} else if r := audit.RedactString(s); r != s {
		a.Value = slog.StringValue(r)
	}
	return a
}

// nameTrace prints LevelTrace as "TRACE" rather than slog's "DEBUG-4".
func nameTrace(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l <= LevelTrace {
			a.Value = slog.StringValue("TRACE")
		}
	}
	return a
}

// Trace logs msg with args at LevelTrace.
func Trace(logger *slog.Logger, msg string, args ...any) {
	logger.Log(context.Background(), LevelTrace, msg, args...)
}
