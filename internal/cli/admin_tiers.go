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

// tiersOptions are the parsed arguments of `q admin tiers …`.
type tiersOptions struct {
	*adminFactory
	Action string // set or list
	Name   string
	Tier   adminapi.SetTier
}

// newCmdAdminTiers returns `q admin tiers`:
//
//	q admin tiers set NAME [--rank N] [--requests-per-day N] [--requests-per-month N]
//	                       [--tokens-per-month N] [--models a,b] [--features a,b]
//	q admin tiers list
//
// set replaces the tier's definition: a quota not given is unlimited.
func newCmdAdminTiers(f *adminFactory, runF func(*tiersOptions) error) *cobra.Command {
	o := &tiersOptions{adminFactory: f}
	if runF == nil {
		runF = tiersRun
	}
	var day, month, tokens int64
	cmd := &cobra.Command{Use: "tiers", Short: "Define tiers of service (Free and Pro exist) and their quotas", Args: cobra.NoArgs}
	set := &cobra.Command{Use: "set NAME", Short: "Create or redefine a tier", Args: cobra.ExactArgs(1)}
	set.RunE = func(cmd *cobra.Command, args []string) error {
		o.Action, o.Name = "set", args[0]
		for flag, pair := range map[string]struct {
			v   int64
			dst **int64
		}{"requests-per-day": {day, &o.Tier.RequestsPerDay}, "requests-per-month": {month, &o.Tier.RequestsPerMonth},
			"tokens-per-month": {tokens, &o.Tier.TokensPerMonth}} {
			if cmd.Flags().Changed(flag) {
				if pair.v < 0 {
					return fmt.Errorf("--%s: must not be negative", flag)
				}
				v := pair.v
				*pair.dst = &v
			}
		}
		return runF(o)
	}
	fl := set.Flags()
	fl.Int64Var(&o.Tier.Rank, "rank", 0, "order among tiers: a user covered by several gets the highest (default: above all others)")
	fl.Int64Var(&day, "requests-per-day", 0, "requests a user may make per day (default unlimited)")
	fl.Int64Var(&month, "requests-per-month", 0, "requests a user may make per month (default unlimited)")
	fl.Int64Var(&tokens, "tokens-per-month", 0, "tokens a user may use per month (default unlimited)")
	fl.StringSliceVar(&o.Tier.Models, "models", nil, "models the tier may use (default all)")
	fl.StringSliceVar(&o.Tier.Features, "features", nil, "features the tier enables, such as customizations")
	cmd.AddCommand(set, subcommand("list", "List tiers, lowest rank first", cobra.NoArgs, &o.Action,
		func([]string) error { return runF(o) }))
	return cmd
}

func tiersRun(o *tiersOptions) error {
	switch o.Action {
	case "set":
		return adminDo(o.adminFactory, http.MethodPut, adminclient.Path("v1", "tiers", o.Name), o.Tier, nil, "Set tier "+o.Name)
	case "list":
		return adminList(o.adminFactory, "/v1/tiers", "NAME\tRANK\tREQ/DAY\tREQ/MONTH\tTOKENS/MONTH\tMODELS\tFEATURES",
			func(t adminapi.Tier) []string {
				return []string{t.Name, strconv.FormatInt(t.Rank, 10), limit(t.RequestsPerDay), limit(t.RequestsPerMonth),
					limit(t.TokensPerMonth), orDash(strings.Join(t.Models, ",")), orDash(strings.Join(t.Features, ","))}
			})
	}
	return fmt.Errorf("unknown action %q", o.Action)
}

// limit shows a quota; nil is unlimited.
func limit(v *int64) string {
	if v == nil {
		return "unlimited"
	}
	return strconv.FormatInt(*v, 10)
}
