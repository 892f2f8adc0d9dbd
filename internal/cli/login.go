package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
	"github.com/qdev/qdev/internal/org"
)

// orgDeps are what q login, logout, whoami and profile need.
type orgDeps struct {
	IO         IO
	Org        *org.Client
	HTTPClient *http.Client
	// Interactive reports whether the user can answer questions on IO.In.
	Interactive func() bool
}

func newOrgDeps(stdio IO) *orgDeps {
	hc := networkClient(loadNetwork)
	c := org.New(os.Getenv)
	c.HTTP = hc
	return &orgDeps{IO: stdio, Org: c, HTTPClient: hc, Interactive: func() bool {
		return stdio.In != nil && term.IsTerminal(int(stdio.In.Fd()))
	}}
}

// me asks the server who cred is.
func (d *orgDeps) me(ctx context.Context, cred org.Credential) (adminapi.Me, error) {
	c, err := adminclient.New(cred.StartURL, cred.Token, d.HTTPClient)
	if err != nil {
		return adminapi.Me{}, err
	}
	var me adminapi.Me
	err = c.Do(ctx, http.MethodGet, "/v1/me", nil, &me)
	var p *adminapi.Problem
	if errors.As(err, &p) && p.Status == http.StatusUnauthorized {
		if cred.Kind == org.KindAPIKey {
			return adminapi.Me{}, fmt.Errorf("server %s refused the API key in %s", cred.StartURL, adminclient.EnvAPIKey)
		}
		return adminapi.Me{}, org.ErrSessionExpired
	}
	return me, err
}

// loginOptions are the flags of q login.
type loginOptions struct {
	*orgDeps
	StartURL   string
	DeviceFlow bool
	License    string
	Region     string
}

// NewCmdLogin returns q login:
//
//	q login [--start-url URL] [--use-device-flow] [--license free|pro]
//
// --identity-provider is the Q CLI's name for --start-url and means the
// same; --region is accepted for compatibility and has no effect.
func NewCmdLogin(d *orgDeps, runF func(*loginOptions) error) *cobra.Command {
	o := &loginOptions{orgDeps: d}
	if runF == nil {
		runF = loginRun
	}
	var idp string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to your organisation's q server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if idp != "" {
				if o.StartURL != "" && o.StartURL != idp {
					return errors.New("--start-url and --identity-provider name the same thing; give one")
				}
				o.StartURL = idp
			}
			switch o.License {
			case "", "free", "pro":
			default:
				return fmt.Errorf("--license: expected free or pro, not %q", o.License)
			}
			return runF(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.StartURL, "start-url", "", "URL of your organisation's q server (default $QDEV_START_URL)")
	f.StringVar(&idp, "identity-provider", "", "same as --start-url")
	f.BoolVar(&o.DeviceFlow, "use-device-flow", false, "sign in on any device with a code, instead of opening a browser here")
	f.StringVar(&o.License, "license", "pro", "license type: free or pro (recorded with the session)")
	f.StringVar(&o.Region, "region", "", "accepted for compatibility with the Q CLI; qdev does not use it")
	return cmd
}

func loginRun(o *loginOptions) error {
	start := o.StartURL
	if start == "" {
		start = o.Org.Getenv(adminclient.EnvStartURL)
	}
	if start == "" && o.Interactive() {
		fmt.Fprint(o.IO.ErrOut, "Start URL of your organisation's q server: ")
		line, _ := bufio.NewReader(o.IO.In).ReadString('\n')
		start = strings.TrimSpace(line)
	}
	if start == "" {
		return errors.New("--start-url URL is required: the address of your organisation's q server")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sess, err := o.Org.Login(ctx, org.LoginOptions{StartURL: start, DeviceFlow: o.DeviceFlow, License: o.License, Out: o.IO.ErrOut})
	if err != nil {
		return err
	}
	me, err := o.me(ctx, org.Credential{StartURL: sess.StartURL, Token: sess.AccessToken, Kind: org.KindLogin})
	if err != nil {
		fmt.Fprintf(o.IO.Out, "Logged in to %s.\n", sess.StartURL)
		return nil
	}
	fmt.Fprintf(o.IO.Out, "Logged in to %s as %s.\n", sess.StartURL, me.User.Email)
	return nil
}

// logoutOptions are what q logout uses.
type logoutOptions struct {
	*orgDeps
}

// NewCmdLogout returns q logout, which takes no arguments.
func NewCmdLogout(d *orgDeps, runF func(*logoutOptions) error) *cobra.Command {
	o := &logoutOptions{orgDeps: d}
	if runF == nil {
		runF = logoutRun
	}
	return &cobra.Command{
		Use:   "logout",
		Short: "Sign out: revoke the session and delete its tokens",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return runF(o) },
	}
}

func logoutRun(o *logoutOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := o.Org.Logout(ctx)
	if errors.Is(err, org.ErrNotLoggedIn) {
		fmt.Fprintln(o.IO.Out, "Not logged in.")
		return nil
	}
	if err != nil && sess.StartURL == "" {
		return err
	}
	fmt.Fprintf(o.IO.Out, "Logged out of %s.\n", sess.StartURL)
	if err != nil {
		fmt.Fprintf(o.IO.ErrOut, "Warning: %v\n", err)
	}
	return nil
}
