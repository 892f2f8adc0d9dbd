// Package paths says where qdev keeps its state, configuration and logs,
// following the XDG base-directory conventions and never the working directory.
package paths

import (
	"fmt"
	"os"
	"path/filepath"
)

// App is the directory name qdev uses under the XDG base directories.
const App = "qdev"

// Getenv looks up an environment variable, returning "" when it is unset;
// os.Getenv has this type.
type Getenv func(string) string

// Home returns the user's home directory: $HOME when it is an absolute
// path. Without one it returns a private fallback, qdev-<uid> under the
// system temporary directory, rather than guessing: a relative or empty
// home would put state in whatever directory q happens to run from.
func Home() string { return HomeFrom(os.Getenv) }

// HomeFrom is Home reading the environment through getenv.
func HomeFrom(getenv Getenv) string {
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Clean(h)
	}
	return filepath.Join(tempRoot(getenv), fmt.Sprintf("qdev-%d", os.Getuid()))
}

// DataDir returns qdev's state directory: $XDG_DATA_HOME/qdev, or
// ~/.local/share/qdev when that variable is unset or not absolute.
func DataDir() string { return DataDirFrom(os.Getenv) }

// DataDirFrom is DataDir reading the environment through getenv.
func DataDirFrom(getenv Getenv) string {
	return xdgDir(getenv, "XDG_DATA_HOME", ".local/share")
}

// ConfigDir returns qdev's configuration directory: $XDG_CONFIG_HOME/qdev,
// or ~/.config/qdev when that variable is unset or not absolute.
func ConfigDir() string { return ConfigDirFrom(os.Getenv) }

// ConfigDirFrom is ConfigDir reading the environment through getenv.
func ConfigDirFrom(getenv Getenv) string {
	return xdgDir(getenv, "XDG_CONFIG_HOME", ".config")
}

// xdgDir applies the XDG rule that a relative value is invalid and must be
// ignored, which is also what keeps a stray "XDG_DATA_HOME=." from writing
// state into the current directory.
func xdgDir(getenv Getenv, variable, fallback string) string {
	if v := getenv(variable); filepath.IsAbs(v) {
		return filepath.Join(v, App)
	}
	return filepath.Join(HomeFrom(getenv), fallback, App)
}

// LogDir returns the directory of qdev's log files: "qlog" under the first
// of $XDG_RUNTIME_DIR, $TMPDIR and /tmp that is set to an absolute path, as
// the Q CLI does. It never fails.
func LogDir() string { return LogDirFrom(os.Getenv) }

// LogDirFrom is LogDir reading the environment through getenv.
func LogDirFrom(getenv Getenv) string {
	if d := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		return filepath.Join(d, "qlog")
	}
	return filepath.Join(tempRoot(getenv), "qlog")
}

// tempRoot is $TMPDIR when absolute, else /tmp.
func tempRoot(getenv Getenv) string {
	if d := getenv("TMPDIR"); filepath.IsAbs(d) {
		return filepath.Clean(d)
	}
	return "/tmp"
}

// EnsureDir creates path and any missing parents with mode 0700 (before the
// umask). It fails when path exists but is not a directory, or, on Unix, when
// it is owned by another user: the log directory lives in shared places like
// /tmp, where someone else could have created it first to read our logs.
func EnsureDir(path string) error {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: not a directory", path)
	}
	if !ownedByMe(fi) {
		return fmt.Errorf("%s: directory is owned by another user", path)
	}
	return nil
}
