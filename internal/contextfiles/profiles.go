package contextfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ListProfiles returns "default" then the other profiles (directories of
// ~/.aws/amazonq/profiles) alphabetically; "default" always exists.
func ListProfiles(home string) []string {
	out := []string{DefaultProfile}
	entries, _ := os.ReadDir(ProfilesDir(home))
	var names []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != DefaultProfile && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return append(out, names...)
}

// ProfileExists reports whether the profile exists (default always does).
func ProfileExists(home, name string) bool {
	if name == DefaultProfile {
		return true
	}
	st, err := os.Stat(filepath.Join(ProfilesDir(home), name))
	return err == nil && st.IsDir()
}

// CreateProfile makes a profile with an empty context file. The name must
// be usable as a directory name and not taken.
func CreateProfile(home, name string) error {
	if err := checkProfileName(name); err != nil {
		return err
	}
	if ProfileExists(home, name) {
		return fmt.Errorf("profile '%s' already exists", name)
	}
	return writeConfig(ProfileContextPath(home, name), LegacyConfig{})
}

// DeleteProfile removes a profile's directory; default cannot be deleted.
func DeleteProfile(home, name string) error {
	if err := checkProfileName(name); err != nil {
		return err
	}
	if name == DefaultProfile {
		return errors.New("the default profile cannot be deleted")
	}
	if !ProfileExists(home, name) {
		return fmt.Errorf("profile '%s' does not exist", name)
	}
	err := os.RemoveAll(filepath.Join(ProfilesDir(home), name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func checkProfileName(name string) error {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("invalid profile name %q: use letters, digits, '-' or '_'", name)
	}
	return nil
}
