package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminclient"
	"github.com/qdev/qdev/internal/org"
	"github.com/qdev/qdev/internal/paths"
)

// adminFactory holds what every `q admin` command needs: where to write,
// the environment, the HTTP client, and the shared flags.
type adminFactory struct {
	IO         IO
	Getenv     paths.Getenv
	HTTPClient *http.Client
	// Org finds the logged-in session; nil means API keys only.
	Org    *org.Client
	Server string // --server; default $QDEV_START_URL
	Format string // --format of listings: table or json
}

// Client returns an admin API client for --server (or $QDEV_START_URL)
// with $QDEV_API_KEY; without a key, with the session q login started
// (for that server, or the current profile's when none is named).
func (f *adminFactory) Client() (*adminclient.Client, error) {
	url, key := f.serverURL(), f.Getenv(adminclient.EnvAPIKey)
	if key == "" && f.Org != nil {
		cred, err := f.Org.Credential(context.Background(), url)
		switch {
		case err == nil:
			url, key = cred.StartURL, cred.Token
		case errors.Is(err, org.ErrNotLoggedIn):
			// adminclient.New says what is missing.
		default:
			return nil, err
		}
	}
	return adminclient.New(url, key, f.HTTPClient)
}

// serverURL is --server, or $QDEV_START_URL, without a trailing slash.
func (f *adminFactory) serverURL() string {
	url := f.Server
	if url == "" {
		url = f.Getenv(adminclient.EnvStartURL)
	}
	return strings.TrimRight(url, "/")
}

// NewCmdAdmin returns `q admin`, which manages the organisation through a
// q server's admin API: users, groups, tiers, subscriptions and API keys.
// It authenticates with $QDEV_API_KEY, or as the logged-in user.
func NewCmdAdmin(stdio IO) *cobra.Command {
	// A bound on every request: a server that stops answering must not hang
	// a script forever.
	hc := networkClient(loadNetwork)
	oc := org.New(os.Getenv)
	oc.HTTP = hc
	f := &adminFactory{IO: stdio, Getenv: os.Getenv, HTTPClient: hc, Org: oc}
	return newCmdAdmin(f, nil)
}

// adminRunners replace the behaviour of each command group in tests; a nil
// field keeps the real one.
type adminRunners struct {
	users  func(*usersOptions) error
	groups func(*groupsOptions) error
	tiers  func(*tiersOptions) error
	subs   func(*subsOptions) error
	keys   func(*keysOptions) error
	scim   func(*scimOptions) error
}

func newCmdAdmin(f *adminFactory, r *adminRunners) *cobra.Command {
	if r == nil {
		r = &adminRunners{}
	}
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage the organisation on a q server: users, groups, tiers, subscriptions, API keys, SCIM",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(*cobra.Command, []string) error {
			if f.Format != "table" && f.Format != "json" {
				return fmt.Errorf("--format: expected table or json, not %q", f.Format)
			}
			return nil
		},
	}
	cmd.PersistentFlags().StringVar(&f.Server, "server", "", "URL of the q server (default $QDEV_START_URL, or the one you logged in to)")
	cmd.PersistentFlags().StringVar(&f.Format, "format", "table", "output format of listings: table or json")
	cmd.AddCommand(
		newCmdAdminUsers(f, r.users),
		newCmdAdminGroups(f, r.groups),
		newCmdAdminTiers(f, r.tiers),
		newCmdAdminSubscriptions(f, r.subs),
		newCmdAdminKeys(f, r.keys),
		newCmdAdminSCIM(f, r.scim),
	)
	return cmd
}

// adminList fetches every item at path and prints them as JSON (--format json)
// or as a table with header, one row per item.
func adminList[T any](f *adminFactory, path string, header string, row func(T) []string) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	items, err := adminclient.List[T](context.Background(), c, path)
	if err != nil {
		return err
	}
	if f.Format == "json" {
		if items == nil {
			items = []T{}
		}
		return writeJSONTo(f.IO.Out, items)
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(row(it), "\t"))
	}
	return tw.Flush()
}

// adminDo sends one request and, when it succeeds, tells the user done on
// stderr.
func adminDo(f *adminFactory, method, path string, body, out any, done string) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	if err := c.Do(context.Background(), method, path, body, out); err != nil {
		return err
	}
	if done != "" {
		fmt.Fprintln(f.IO.ErrOut, done)
	}
	return nil
}

// subcommand builds a leaf command that records its action in *action and
// calls run.
func subcommand(use, short string, args cobra.PositionalArgs, action *string, run func(args []string) error) *cobra.Command {
	name, _, _ := strings.Cut(use, " ")
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(_ *cobra.Command, a []string) error {
			*action = name
			return run(a)
		},
	}
}

// writeJSONTo writes v as indented JSON.
func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// orDash shows an empty value as "-" in tables.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
