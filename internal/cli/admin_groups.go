package cli

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
)

// groupsOptions are the parsed arguments of `q admin groups …`.
type groupsOptions struct {
	*adminFactory
	Action string // create, add, remove, list or delete
	Name   string
	Emails []string
}

// newCmdAdminGroups returns `q admin groups`:
//
//	q admin groups create NAME | delete NAME | list
//	q admin groups add NAME EMAIL… | remove NAME EMAIL…
func newCmdAdminGroups(f *adminFactory, runF func(*groupsOptions) error) *cobra.Command {
	o := &groupsOptions{adminFactory: f}
	if runF == nil {
		runF = groupsRun
	}
	run := func(args []string) error {
		if len(args) > 0 {
			o.Name, o.Emails = args[0], args[1:]
		}
		return runF(o)
	}
	cmd := &cobra.Command{Use: "groups", Short: "Create groups and manage their members", Args: cobra.NoArgs}
	cmd.AddCommand(
		subcommand("create NAME", "Create an empty group", cobra.ExactArgs(1), &o.Action, run),
		subcommand("delete NAME", "Delete a group and its subscription", cobra.ExactArgs(1), &o.Action, run),
		subcommand("add NAME EMAIL...", "Add users to a group", cobra.MinimumNArgs(2), &o.Action, run),
		subcommand("remove NAME EMAIL...", "Remove users from a group", cobra.MinimumNArgs(2), &o.Action, run),
		subcommand("list", "List groups", cobra.NoArgs, &o.Action, run),
	)
	return cmd
}

func groupsRun(o *groupsOptions) error {
	groupPath := adminclient.Path("v1", "groups", o.Name)
	members := strings.Join(o.Emails, ", ")
	switch o.Action {
	case "create":
		return adminDo(o.adminFactory, http.MethodPost, "/v1/groups", adminapi.CreateGroup{Name: o.Name}, nil, "Created group "+o.Name)
	case "delete":
		return adminDo(o.adminFactory, http.MethodDelete, groupPath, nil, nil, "Deleted group "+o.Name)
	case "add":
		return adminDo(o.adminFactory, http.MethodPost, groupPath+"/members", adminapi.Members{Emails: o.Emails}, nil,
			fmt.Sprintf("Added %s to %s", members, o.Name))
	case "remove":
		return adminDo(o.adminFactory, http.MethodPost, groupPath+"/remove-members", adminapi.Members{Emails: o.Emails}, nil,
			fmt.Sprintf("Removed %s from %s", members, o.Name))
	case "list":
		return adminList(o.adminFactory, "/v1/groups", "NAME\tMEMBERS",
			func(g adminapi.Group) []string { return []string{g.Name, strconv.Itoa(g.Members)} })
	}
	return fmt.Errorf("unknown action %q", o.Action)
}
