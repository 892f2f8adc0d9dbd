package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/adminclient"
	"github.com/qdev/qdev/internal/org"
)

// whoamiOptions are the flags of q whoami.
type whoamiOptions struct {
	*orgDeps
	Format string
}

// Identity is what q whoami --format json prints.
type Identity struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Groups   []string `json:"groups"`
	Tier     string   `json:"tier"`
	Status   string   `json:"status"` // in the subscription giving the tier: Active, Pending or None
	StartURL string   `json:"start_url"`
	Role     string   `json:"role"`
	UserID   string   `json:"user_id"`
	Auth     string   `json:"auth"` // login or api_key
}

// NewCmdWhoami returns q whoami [--format plain|json|json-pretty].
func NewCmdWhoami(d *orgDeps, runF func(*whoamiOptions) error) *cobra.Command {
	o := &whoamiOptions{orgDeps: d}
	if runF == nil {
		runF = whoamiRun
	}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show who you are signed in as, with your groups, tier and subscription status",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			switch o.Format {
			case "plain", "json", "json-pretty":
			default:
				return fmt.Errorf("--format: expected plain, json or json-pretty, not %q", o.Format)
			}
			return runF(o)
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "plain", "output format: plain, json or json-pretty")
	return cmd
}

func whoamiRun(o *whoamiOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cred, err := o.Org.Credential(ctx, "")
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	me, err := o.me(ctx, cred)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	id := Identity{Email: me.User.Email, Name: me.User.Name, Groups: me.User.Groups, Tier: me.Tier, Status: me.Status,
		StartURL: cred.StartURL, Role: string(me.User.Role), UserID: me.User.ID, Auth: cred.Kind}
	if id.Groups == nil {
		id.Groups = []string{}
	}
	switch o.Format {
	case "json":
		return json.NewEncoder(o.IO.Out).Encode(id)
	case "json-pretty":
		return writeJSONTo(o.IO.Out, id)
	}
	how := "Logged in to"
	if cred.Kind == org.KindAPIKey {
		how = "Using an API key with"
	}
	fmt.Fprintf(o.IO.Out, "%s %s as %s\n", how, id.StartURL, id.Email)
	fmt.Fprintf(o.IO.Out, "Name:    %s\nGroups:  %s\nRole:    %s\nTier:    %s (%s)\n",
		orDash(id.Name), orDash(strings.Join(id.Groups, ", ")), id.Role, id.Tier, id.Status)
	return nil
}

// profileOptions are the flags of q profile.
type profileOptions struct {
	*orgDeps
	Select string
}

// NewCmdProfile returns q profile: the organisations the user is signed in
// to, the current one marked; with several, it lets the user pick one
// (interactively, or with --start-url).
func NewCmdProfile(d *orgDeps, runF func(*profileOptions) error) *cobra.Command {
	o := &profileOptions{orgDeps: d}
	if runF == nil {
		runF = profileRun
	}
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Show your organisation profile, or pick one when you belong to several",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return runF(o) },
	}
	cmd.Flags().StringVar(&o.Select, "start-url", "", "make the profile of this server the current one")
	return cmd
}

func profileRun(o *profileOptions) error {
	if o.Select != "" {
		if err := o.Org.SelectProfile(o.Select); err != nil {
			return err
		}
	}
	sessions, current, err := o.Org.Profiles()
	if err != nil {
		return err
	}
	if len(sessions) == 0 {
		if key, start := o.Org.Getenv(adminclient.EnvAPIKey), o.Org.Getenv(adminclient.EnvStartURL); key != "" && start != "" {
			fmt.Fprintf(o.IO.Out, "Organisation: %s (with the API key in %s)\n", start, adminclient.EnvAPIKey)
			return nil
		}
		return &ExitError{Code: 1, Err: org.ErrNotLoggedIn}
	}
	if len(sessions) == 1 {
		s := sessions[0]
		fmt.Fprintf(o.IO.Out, "Organisation: %s\nLogged in:    %s\n", s.StartURL, s.LoggedInAt.Local().Format("2006-01-02 15:04"))
		return nil
	}
	fmt.Fprintln(o.IO.Out, "Organisations you are signed in to (* is current):")
	for i, s := range sessions {
		mark := " "
		if s.StartURL == current {
			mark = "*"
		}
		fmt.Fprintf(o.IO.Out, "%s %d. %s\n", mark, i+1, s.StartURL)
	}
	if o.Select != "" || !o.Interactive() {
		return nil
	}
	fmt.Fprintf(o.IO.ErrOut, "Choose a profile [1-%d] (Enter keeps the current one): ", len(sessions))
	line, _ := bufio.NewReader(o.IO.In).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	n, err := strconv.Atoi(line)
	if err != nil || n < 1 || n > len(sessions) {
		return fmt.Errorf("expected a number from 1 to %d", len(sessions))
	}
	if err := o.Org.SelectProfile(sessions[n-1].StartURL); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "Current profile: %s\n", sessions[n-1].StartURL)
	return nil
}
