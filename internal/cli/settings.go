package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/editor"
	"github.com/qdev/qdev/internal/settings"
)

// settingsOptions holds the dependencies and flags of `q settings`.
type settingsOptions struct {
	load        func() (*settings.Settings, error)
	out, errOut io.Writer
	format      string
	delete      bool
	all         bool
}

// NewCmdSettings returns `q settings`, which reads and writes the settings
// file that load returns. Results go to out, notes to errOut; failures are
// returned as one-line errors for the caller to print.
//
//	q settings KEY [VALUE]          show or set a value
//	q settings -d|--delete KEY      delete a value (KEY may be a glob: 'chat.*')
//	q settings all|list [--all]     list set values; --all adds unset keys
//	q settings get|set|delete ...   the same as subcommands
//	q settings open                 edit the file in $EDITOR (default vi)
//
// Reads accept -f/--format plain|json|json-pretty.
func NewCmdSettings(load func() (*settings.Settings, error), out, errOut io.Writer) *cobra.Command {
	o := &settingsOptions{load: load, out: out, errOut: errOut}
	cmd := &cobra.Command{
		Use:     "settings [KEY] [VALUE]",
		Aliases: []string{"setting"},
		Short:   "Show and change settings",
		Long: "Show and change settings, stored in a JSON file (see q settings open).\n" +
			"q settings KEY shows a value, q settings KEY VALUE sets it, q settings -d KEY deletes it.",
		Args:         cobra.MaximumNArgs(2),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case o.delete && len(args) != 1:
				return errors.New("--delete takes exactly one KEY")
			case o.delete:
				return o.runDelete(args[0])
			case len(args) == 0:
				return cmd.Help()
			case len(args) == 1:
				return o.runGet(args[0])
			}
			return o.runSet(args[0], args[1])
		},
	}
	cmd.SetOut(out)
	cmd.PersistentFlags().StringVarP(&o.format, "format", "f", "plain", "output format: plain, json or json-pretty")
	cmd.Flags().BoolVarP(&o.delete, "delete", "d", false, "delete the setting KEY")

	list := &cobra.Command{
		Use:     "all",
		Aliases: []string{"list"},
		Short:   "List the settings that are set (--all: every known setting)",
		Args:    cobra.NoArgs,
		RunE:    func(*cobra.Command, []string) error { return o.runList() },
	}
	list.Flags().BoolVar(&o.all, "all", false, "include unset settings with their defaults and descriptions")

	cmd.AddCommand(list,
		&cobra.Command{
			Use:   "get KEY",
			Short: "Show the value of a setting",
			Args:  cobra.ExactArgs(1),
			RunE:  func(_ *cobra.Command, args []string) error { return o.runGet(args[0]) },
		},
		&cobra.Command{
			Use:   "set KEY VALUE",
			Short: "Set a setting",
			Args:  cobra.ExactArgs(2),
			RunE:  func(_ *cobra.Command, args []string) error { return o.runSet(args[0], args[1]) },
		},
		&cobra.Command{
			Use:     "delete KEY",
			Aliases: []string{"rm"},
			Short:   "Delete a setting",
			Args:    cobra.ExactArgs(1),
			RunE:    func(_ *cobra.Command, args []string) error { return o.runDelete(args[0]) },
		},
		&cobra.Command{
			Use:   "open",
			Short: "Open the settings file in $EDITOR (default vi)",
			Args:  cobra.NoArgs,
			RunE:  func(*cobra.Command, []string) error { return o.runOpen() },
		},
	)
	for _, c := range cmd.Commands() {
		c.SilenceUsage = true
	}
	return cmd
}

// checkFormat rejects an unknown --format before anything is read.
func (o *settingsOptions) checkFormat() error {
	switch o.format {
	case "plain", "json", "json-pretty":
		return nil
	}
	return fmt.Errorf("invalid format %q: use plain, json or json-pretty", o.format)
}

func (o *settingsOptions) runGet(key string) error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	s, err := o.load()
	if err != nil {
		return err
	}
	v, ok := s.Get(key)
	if !ok {
		if _, known := settings.Lookup(key); !known {
			return fmt.Errorf("`%s` is not a valid setting", key)
		}
		// As the Q CLI: JSON readers get null, people get an error.
		if o.format != "plain" {
			fmt.Fprintln(o.out, "null")
			return nil
		}
		return fmt.Errorf("no value associated with %s", key)
	}
	switch o.format {
	case "json":
		fmt.Fprintln(o.out, settings.Format(v, false))
	case "json-pretty":
		fmt.Fprintln(o.out, settings.Format(v, true))
	default:
		if str, isString := v.(string); isString {
			fmt.Fprintln(o.out, str)
		} else {
			fmt.Fprintln(o.out, settings.Format(v, true))
		}
	}
	return nil
}

// listEntry is one key of `q settings all --all` in JSON.
type listEntry struct {
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Values      []string `json:"values,omitempty"`
	Default     any      `json:"default,omitempty"`
	Value       any      `json:"value,omitempty"`
}

// runList prints the set values, or with --all every known key (and any
// unknown key found in the file) with its type, default and description.
func (o *settingsOptions) runList() error {
	if err := o.checkFormat(); err != nil {
		return err
	}
	s, err := o.load()
	if err != nil {
		return err
	}
	set := s.All()
	if !o.all {
		if o.format != "plain" {
			fmt.Fprintln(o.out, settings.Format(set, o.format == "json-pretty"))
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(set)) {
			fmt.Fprintf(o.out, "%s = %s\n", k, settings.Format(set[k], false))
		}
		return nil
	}
	entries := map[string]listEntry{}
	for _, k := range settings.Keys() {
		entries[k.Name] = listEntry{Type: k.Type.String(), Description: k.Description,
			Values: k.Values, Default: k.Default, Value: set[k.Name]}
	}
	for k, v := range set {
		if _, known := entries[k]; !known {
			entries[k] = listEntry{Type: "unknown", Description: "Not known to this version of qdev; kept as is.", Value: v}
		}
	}
	if o.format != "plain" {
		fmt.Fprintln(o.out, settings.Format(entries, o.format == "json-pretty"))
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(entries)) {
		e := entries[k]
		switch {
		case e.Value != nil:
			fmt.Fprintf(o.out, "%s = %s\n", k, settings.Format(e.Value, false))
		case e.Default != nil:
			fmt.Fprintf(o.out, "%s = %s (default)\n", k, settings.Format(e.Default, false))
		default:
			fmt.Fprintf(o.out, "%s (not set)\n", k)
		}
		kind := e.Type
		if len(e.Values) > 0 {
			kind += " (" + strings.Join(e.Values, " | ") + ")"
		}
		fmt.Fprintf(o.out, "    %s: %s\n", kind, e.Description)
	}
	return nil
}

func (o *settingsOptions) runSet(key, value string) error {
	s, err := o.load()
	if err != nil {
		return err
	}
	if err := s.Set(key, value); err != nil {
		return err
	}
	return s.Save()
}

// runDelete removes key, or every set key matching it when it is a glob
// pattern, and names each removed key on out.
func (o *settingsOptions) runDelete(key string) error {
	s, err := o.load()
	if err != nil {
		return err
	}
	var matched []string
	if strings.ContainsAny(key, "*?[") {
		if _, err := path.Match(key, ""); err != nil {
			return fmt.Errorf("invalid pattern %q: %v", key, err)
		}
		for k := range s.All() {
			if ok, _ := path.Match(key, k); ok {
				matched = append(matched, k)
			}
		}
		slices.Sort(matched)
	} else if _, ok := s.Get(key); ok {
		matched = []string{key}
	} else if _, known := settings.Lookup(key); !known {
		return fmt.Errorf("`%s` is not a valid setting", key)
	}
	if len(matched) == 0 {
		return fmt.Errorf("no settings found matching %s", key)
	}
	for _, k := range matched {
		if err := s.Delete(k); err != nil {
			return err
		}
		fmt.Fprintf(o.out, "Removing `%s`\n", k)
	}
	return s.Save()
}

// runOpen opens the settings file in $EDITOR, creating it first, and checks
// that it still parses afterwards. A file that does not parse is opened all
// the same: fixing it is what the editor is for.
func (o *settingsOptions) runOpen() error {
	var file string
	s, err := o.load()
	var fe *settings.FileError
	switch {
	case err == nil:
		file = s.Path()
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			if err := s.Save(); err != nil {
				return err
			}
		}
	case errors.As(err, &fe):
		file = fe.Path
	default:
		return err
	}
	c := editor.Command(context.Background(), file)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, o.out, o.errOut
	if err := c.Run(); err != nil {
		return fmt.Errorf("editor %s: %v", c.Args[0], err)
	}
	// What the editor left must load in q chat: same checks.
	if s, err = o.load(); err == nil {
		err = s.Validate()
	}
	return err
}
