package cli

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
)

// keysOptions are the parsed arguments of `q admin keys …`.
type keysOptions struct {
	*adminFactory
	Action  string // create, list or revoke
	User    string
	Name    string
	Expires string // 90d; empty: never
}

// newCmdAdminKeys returns `q admin keys`:
//
//	q admin keys create --user EMAIL [--name N] [--expires 90d]
//	q admin keys list [--user EMAIL]
//	q admin keys revoke NAME --user EMAIL
//
// create prints the key, once, alone on stdout; only its hash is kept.
func newCmdAdminKeys(f *adminFactory, runF func(*keysOptions) error) *cobra.Command {
	o := &keysOptions{adminFactory: f}
	if runF == nil {
		runF = keysRun
	}
	run := func(args []string) error {
		if len(args) > 0 {
			o.Name = args[0]
		}
		if o.Action != "list" && o.User == "" {
			return fmt.Errorf("--user EMAIL is required")
		}
		return runF(o)
	}
	cmd := &cobra.Command{Use: "keys", Short: "Create, list and revoke API keys (QDEV_API_KEY)", Args: cobra.NoArgs}
	create := subcommand("create", "Create a key for a user and print it", cobra.NoArgs, &o.Action, run)
	create.Flags().StringVar(&o.Name, "name", "default", "name of the key, unique per user")
	create.Flags().StringVar(&o.Expires, "expires", "", "lifetime in days, such as 90d (default: never expires)")
	list := subcommand("list", "List keys (never the keys themselves)", cobra.NoArgs, &o.Action, run)
	revoke := subcommand("revoke NAME", "Revoke a user's key at once, on every replica", cobra.ExactArgs(1), &o.Action, run)
	for _, c := range []*cobra.Command{create, list, revoke} {
		c.Flags().StringVar(&o.User, "user", "", "the key owner's email")
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// parseDays reads a lifetime such as 90d.
func parseDays(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || !strings.HasSuffix(s, "d") || n < 1 || n > 3650 {
		return 0, fmt.Errorf("--expires: expected a number of days from 1d to 3650d, not %q", s)
	}
	return n, nil
}

func keysRun(o *keysOptions) error {
	switch o.Action {
	case "create":
		days, err := parseDays(o.Expires)
		if err != nil {
			return err
		}
		var k adminapi.CreatedKey
		if err := adminDo(o.adminFactory, http.MethodPost, "/v1/keys",
			adminapi.CreateKey{User: o.User, Name: o.Name, ExpiresInDays: days}, &k, ""); err != nil {
			return err
		}
		fmt.Fprintln(o.IO.Out, k.Key)
		fmt.Fprintf(o.IO.ErrOut, "Created key %q for %s, expires %s. It is shown only this once.\n", k.Name, k.User, whenOrNever(k.ExpiresAt))
		return nil
	case "list":
		path := "/v1/keys"
		if o.User != "" {
			path += "?user=" + url.QueryEscape(o.User)
		}
		return adminList(o.adminFactory, path, "USER\tNAME\tCREATED\tEXPIRES",
			func(k adminapi.APIKey) []string {
				return []string{k.User, k.Name, when(&k.CreatedAt), whenOrNever(k.ExpiresAt)}
			})
	case "revoke":
		return adminDo(o.adminFactory, http.MethodDelete, adminclient.Path("v1", "keys", o.User, o.Name), nil, nil,
			fmt.Sprintf("Revoked key %q of %s", o.Name, o.User))
	}
	return fmt.Errorf("unknown action %q", o.Action)
}

// whenOrNever shows an expiry time; nil is never.
func whenOrNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return when(t)
}
