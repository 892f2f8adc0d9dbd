package contextfiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/atomicfile"
	"github.com/qdev/qdev/internal/jsonerr"
)

// DefaultProfile always exists.
const DefaultProfile = "default"

// LegacyConfig is the content of a legacy context file: context paths as
// typed (patterns are kept and expanded at use) and hooks by name.
type LegacyConfig struct {
	Paths []string              `json:"paths"`
	Hooks map[string]LegacyHook `json:"hooks"`
}

// LegacyContext is the Q CLI's profile context: a global layer applied in
// every profile and the active profile's layer.
type LegacyContext struct {
	Home    string
	Profile string
	Global  LegacyConfig
	// Local is the active profile's layer.
	Local LegacyConfig

	// state, when set (Use), decides which layers are in use.
	state    *LegacyState
	explicit bool
}

// Use makes the context follow st: a layer counts in Paths and Hooks only
// if qdev's /context commands wrote its file, unless explicit (the user
// chose this legacy profile with --profile). A layer /context changes is
// written and becomes qdev's.
func (c *LegacyContext) Use(st *LegacyState, explicit bool) {
	c.state, c.explicit = st, explicit
}

// InUse reports whether the global or the profile layer is in use.
func (c *LegacyContext) InUse(global bool) bool {
	if c.state == nil || c.explicit {
		return true
	}
	return c.state.Owns(c.file(global))
}

// file is the file of the global or the profile layer.
func (c *LegacyContext) file(global bool) string {
	if global {
		return GlobalContextPath(c.Home)
	}
	return ProfileContextPath(c.Home, c.Profile)
}

// GlobalContextPath is ~/.aws/amazonq/global_context.json.
func GlobalContextPath(home string) string {
	return filepath.Join(home, ".aws", "amazonq", "global_context.json")
}

// ProfilesDir is ~/.aws/amazonq/profiles.
func ProfilesDir(home string) string {
	return filepath.Join(home, ".aws", "amazonq", "profiles")
}

// ProfileContextPath is ~/.aws/amazonq/profiles/<profile>/context.json.
func ProfileContextPath(home, profile string) string {
	return filepath.Join(ProfilesDir(home), profile, "context.json")
}

// LoadLegacy reads the global and the profile context files; missing files
// are empty. profile "" is "default". A file that is not valid gives an
// error naming it (with line and column for bad JSON).
func LoadLegacy(home, profile string) (*LegacyContext, error) {
	if profile == "" {
		profile = DefaultProfile
	}
	c := &LegacyContext{Home: home, Profile: profile}
	var err error
	if c.Global, err = readConfig(GlobalContextPath(home)); err != nil {
		return nil, err
	}
	if c.Local, err = readConfig(ProfileContextPath(home, profile)); err != nil {
		return nil, err
	}
	return c, nil
}

func readConfig(path string) (LegacyConfig, error) {
	var cfg LegacyConfig
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("%s: %v", path, reason(err))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, jsonerr.Explain(data, err).In(path)
	}
	for _, name := range sortedNames(cfg.Hooks) {
		if t := cfg.Hooks[name].Trigger; t != TriggerConversationStart && t != TriggerPerPrompt {
			return cfg, fmt.Errorf("%s: hook %q: unknown trigger %q (expected %s or %s)", path, name, t, TriggerPerPrompt, TriggerConversationStart)
		}
	}
	return cfg, nil
}

// save writes the file of one layer, which is then qdev's (LegacyState).
func (c *LegacyContext) save(global bool) error {
	cfg, _ := c.layer(global)
	if err := writeConfig(c.file(global), *cfg); err != nil {
		return err
	}
	if c.state == nil || c.state.Owns(c.file(global)) {
		return nil
	}
	c.state.own(c.file(global))
	return c.state.Save()
}

func writeConfig(path string, cfg LegacyConfig) error {
	if cfg.Paths == nil {
		cfg.Paths = []string{}
	}
	if cfg.Hooks == nil {
		cfg.Hooks = map[string]LegacyHook{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cfg); err != nil {
		return err
	}
	return writeAtomic(path, buf.Bytes())
}

// layer returns the global or the profile layer and its name in messages.
func (c *LegacyContext) layer(global bool) (*LegacyConfig, string) {
	if global {
		return &c.Global, "global"
	}
	return &c.Local, "profile"
}

// Paths returns the global then the profile paths in use, for Build.
func (c *LegacyContext) Paths() []string {
	var out []string
	if c.InUse(true) {
		out = append(out, c.Global.Paths...)
	}
	if c.InUse(false) {
		out = append(out, c.Local.Paths...)
	}
	return slices.Clip(out)
}

// Add adds paths (files, directories or globs, relative to cwd) to the
// profile layer, or the global one, and saves. Each must match a file
// unless force is set; a path already present is refused. The message is
// "Added N path(s) to profile context." with N the number of files matched.
func (c *LegacyContext) Add(cwd string, global, force bool, paths []string) (string, error) {
	if len(paths) == 0 {
		return "", errors.New("no paths given")
	}
	cfg, scope := c.layer(global)
	count := 0
	for i, p := range paths {
		if slices.Contains(cfg.Paths, p) || slices.Contains(paths[:i], p) {
			return "", fmt.Errorf("rule '%s' already exists", p)
		}
		files, err := Expand(p, cwd, c.Home)
		if err != nil {
			return "", fmt.Errorf("invalid path '%s': %v; use --force to add anyway", p, err)
		}
		if len(files) == 0 && !force {
			full := Resolve(p, cwd, c.Home)
			what := fmt.Sprintf("Path '%s' does not exist", full)
			if isGlob(strings.TrimPrefix(p, "file://")) {
				what = fmt.Sprintf("No files found matching glob pattern '%s'", full)
			}
			return "", fmt.Errorf("invalid path '%s': %s; use --force to add anyway", p, what)
		}
		count += max(len(files), 1)
	}
	cfg.Paths = append(cfg.Paths, paths...)
	if err := c.save(global); err != nil {
		return "", err
	}
	return fmt.Sprintf("Added %d path(s) to %s context.", count, scope), nil
}

// Remove removes paths, written as they were added, and saves. The message
// is "Removed N path(s) from profile context.".
func (c *LegacyContext) Remove(global bool, paths []string) (string, error) {
	cfg, scope := c.layer(global)
	before := len(cfg.Paths)
	cfg.Paths = slices.DeleteFunc(cfg.Paths, func(have string) bool {
		return slices.ContainsFunc(paths, func(p string) bool { return filepath.Clean(p) == filepath.Clean(have) })
	})
	n := before - len(cfg.Paths)
	if n == 0 {
		return "", errors.New("none of the specified paths were found in the context")
	}
	if err := c.save(global); err != nil {
		return "", err
	}
	return fmt.Sprintf("Removed %d path(s) from %s context.", n, scope), nil
}

// Clear removes every path of one layer and saves.
func (c *LegacyContext) Clear(global bool) (string, error) {
	cfg, scope := c.layer(global)
	cfg.Paths = nil
	if err := c.save(global); err != nil {
		return "", err
	}
	return fmt.Sprintf("Cleared all paths from %s context.", scope), nil
}

// Show renders both layers with absolute paths, two spaces in:
//
//	Global context:
//	  /home/user/coding-standards.md
//	Profile context (terraform):
//	  /home/user/terraform-project/README.md
//
// A pattern is listed as the files it matches; one matching nothing is
// listed as itself with "(no matches)"; an empty layer shows "<none>".
func (c *LegacyContext) Show(cwd string) string {
	var b strings.Builder
	section := func(title string, global bool, paths []string) {
		b.WriteString(title + "\n")
		if len(paths) == 0 {
			b.WriteString("  <none>\n")
		} else if !c.InUse(global) {
			fmt.Fprintf(&b, "  (not in use: %s was left by an older Q CLI; q agent migrate turns it into agents)\n", c.file(global))
		}
		for _, p := range paths {
			files, err := Expand(p, cwd, c.Home)
			switch {
			case err != nil:
				fmt.Fprintf(&b, "  %s (%v)\n", Resolve(p, cwd, c.Home), err)
			case len(files) == 0:
				fmt.Fprintf(&b, "  %s (no matches)\n", Resolve(p, cwd, c.Home))
			}
			for _, f := range files {
				fmt.Fprintf(&b, "  %s\n", f)
			}
		}
	}
	section("Global context:", true, c.Global.Paths)
	section(fmt.Sprintf("Profile context (%s):", c.Profile), false, c.Local.Paths)
	return b.String()
}

// writeAtomic replaces path with data, creating its directory if need be.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}
