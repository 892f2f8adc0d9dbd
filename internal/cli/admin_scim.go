package cli

import (
	"context"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
)

// scimOptions are the parsed arguments of `q admin scim token …`.
type scimOptions struct {
	*adminFactory
	Action string // create, list or revoke
	Name   string
}

// newCmdAdminSCIM returns `q admin scim`:
//
//	q admin scim token create [--name N]
//	q admin scim token list
//	q admin scim token revoke NAME
//
// create prints the token, once, alone on stdout; only its hash is kept.
// The identity provider sends it as a bearer token to /scim/v2.
func newCmdAdminSCIM(f *adminFactory, runF func(*scimOptions) error) *cobra.Command {
	o := &scimOptions{adminFactory: f}
	if runF == nil {
		runF = scimRun
	}
	run := func(args []string) error {
		if len(args) > 0 {
			o.Name = args[0]
		}
		return runF(o)
	}
	token := &cobra.Command{Use: "token", Short: "Create, list and revoke SCIM tokens", Args: cobra.NoArgs}
	create := subcommand("create", "Create a SCIM token and print it", cobra.NoArgs, &o.Action, run)
	create.Flags().StringVar(&o.Name, "name", "default", "name of the token, unique")
	token.AddCommand(create,
		subcommand("list", "List SCIM tokens (never the tokens themselves)", cobra.NoArgs, &o.Action, run),
		subcommand("revoke NAME", "Revoke a SCIM token at once, on every replica", cobra.ExactArgs(1), &o.Action, run),
	)
	cmd := &cobra.Command{Use: "scim", Short: "Manage SCIM provisioning (an identity provider's access to /scim/v2)", Args: cobra.NoArgs}
	cmd.AddCommand(token)
	return cmd
}

func scimRun(o *scimOptions) error {
	switch o.Action {
	case "create":
		// The server may come from the q login session rather than a flag:
		// the client knows which it is.
		c, err := o.Client()
		if err != nil {
			return err
		}
		var t adminapi.CreatedSCIMToken
		if err := c.Do(context.Background(), http.MethodPost, "/v1/scim-tokens", adminapi.CreateSCIMToken{Name: o.Name}, &t); err != nil {
			return err
		}
		fmt.Fprintln(o.IO.Out, t.Token)
		fmt.Fprintf(o.IO.ErrOut, "Created SCIM token %q. It is shown only this once; give it to the identity provider with the URL %s/scim/v2.\n",
			t.Name, c.URL())
		return nil
	case "list":
		return adminList(o.adminFactory, "/v1/scim-tokens", "NAME\tCREATED",
			func(t adminapi.SCIMToken) []string { return []string{t.Name, when(&t.CreatedAt)} })
	case "revoke":
		return adminDo(o.adminFactory, http.MethodDelete, adminclient.Path("v1", "scim-tokens", o.Name), nil, nil,
			fmt.Sprintf("Revoked SCIM token %q", o.Name))
	}
	return fmt.Errorf("unknown action %q", o.Action)
}
