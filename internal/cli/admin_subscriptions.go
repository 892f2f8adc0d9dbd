package cli

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminapi"
)

// subsOptions are the parsed arguments of `q admin subscriptions …`.
type subsOptions struct {
	*adminFactory
	Action string // assign, unassign or list
	Assign adminapi.Assign
}

// newCmdAdminSubscriptions returns `q admin subscriptions`:
//
//	q admin subscriptions assign --user EMAIL|--group NAME --tier TIER
//	q admin subscriptions unassign --user EMAIL|--group NAME
//	q admin subscriptions list [--format json]
//
// A user subscription is Pending until the user first uses the service,
// then Active; unassigned, it stays in force to the end of the month and
// is then Canceled (at once when never used).
func newCmdAdminSubscriptions(f *adminFactory, runF func(*subsOptions) error) *cobra.Command {
	o := &subsOptions{adminFactory: f}
	if runF == nil {
		runF = subsRun
	}
	run := func([]string) error {
		if o.Action != "list" && (o.Assign.User == "") == (o.Assign.Group == "") {
			return errors.New("give exactly one of --user EMAIL and --group NAME")
		}
		if o.Action == "assign" && o.Assign.Tier == "" {
			return errors.New("--tier is required")
		}
		return runF(o)
	}
	cmd := &cobra.Command{Use: "subscriptions", Aliases: []string{"subs"}, Short: "Assign tiers to users and groups", Args: cobra.NoArgs}
	assign := subcommand("assign", "Subscribe a user or a group to a tier", cobra.NoArgs, &o.Action, run)
	unassign := subcommand("unassign", "Cancel a user's or a group's subscription", cobra.NoArgs, &o.Action, run)
	for _, c := range []*cobra.Command{assign, unassign} {
		c.Flags().StringVar(&o.Assign.User, "user", "", "the user's email")
		c.Flags().StringVar(&o.Assign.Group, "group", "", "the group's name")
	}
	assign.Flags().StringVar(&o.Assign.Tier, "tier", "", "the tier (see q admin tiers list)")
	cmd.AddCommand(assign, unassign, subcommand("list", "List subscriptions and their status", cobra.NoArgs, &o.Action, run))
	return cmd
}

func subsRun(o *subsOptions) error {
	who := o.Assign.User
	if who == "" {
		who = "group " + o.Assign.Group
	}
	switch o.Action {
	case "assign":
		return adminDo(o.adminFactory, http.MethodPost, "/v1/subscriptions", o.Assign, nil,
			fmt.Sprintf("Subscribed %s to %s", who, o.Assign.Tier))
	case "unassign":
		var sub adminapi.Subscription
		if err := adminDo(o.adminFactory, http.MethodPost, "/v1/subscriptions/unassign", o.Assign, &sub, ""); err != nil {
			return err
		}
		if sub.Status == "Canceled" || sub.CancelAt == nil {
			fmt.Fprintf(o.IO.ErrOut, "Canceled the subscription of %s\n", who)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "The subscription of %s will be canceled at the end of the period, %s\n", who, when(sub.CancelAt))
		}
		return nil
	case "list":
		return adminList(o.adminFactory, "/v1/subscriptions", "SUBJECT\tTIER\tSTATUS\tACTIVE USERS\tACTIVATED\tCANCELS",
			func(s adminapi.Subscription) []string {
				subject := "user " + s.User
				if s.Group != "" {
					subject = "group " + s.Group
				}
				return []string{subject, s.Tier, s.Status, strconv.Itoa(s.ActiveUsers), when(s.ActivatedAt), when(s.CancelAt)}
			})
	}
	return fmt.Errorf("unknown action %q", o.Action)
}

// when shows an optional time in tables.
func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 MST")
}
