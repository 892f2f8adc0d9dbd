package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/console"
	"github.com/qdev/qdev/internal/federation"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/jsonerr"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverjobs"
	"github.com/qdev/qdev/internal/serverstore"
)

// replicaID names this process among the replicas sharing a database, as
// the holder of job leases: host name, process id and a random part.
func replicaID() string {
	host, _ := os.Hostname()
	var b [6]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}

// defaultListen is where q server listens without --listen: loopback only,
// so that a laptop install is never reachable from the network by accident.
const defaultListen = "127.0.0.1:8787"

// serverOptions are the flags of `q server` and `q server init`.
type serverOptions struct {
	IO     IO
	Getenv paths.Getenv
	// Context ends when the server should stop; nil means on SIGTERM or
	// SIGINT.
	Context context.Context

	Listen, DataDir, Database, ConfigFile string
	TLSCert, TLSKey                       string
	PublicURL                             string
	Admin                                 string // init only

	// Providers are the upstream identity providers of --config, their
	// secrets read.
	Providers []*federation.Provider
}

// serverConfig is the --config file: JSON with the same settings as the
// flags, which take precedence.
type serverConfig struct {
	Listen   string `json:"listen"`
	Data     string `json:"data"`
	Database string `json:"database"`
	TLSCert  string `json:"tls_cert"`
	TLSKey   string `json:"tls_key"`
	// IdentityProviders are upstream OpenID Connect providers users can
	// sign in through (GET /login/upstream/NAME).
	IdentityProviders []federation.ProviderConfig `json:"identity_providers"`
	// PublicURL is the URL clients reach the server at, behind a proxy or
	// load balancer: the identity provider's issuer.
	PublicURL string `json:"public_url"`
}

// NewCmdServer returns `q server`, which serves the organisation service,
// and its subcommand init. runF and initF replace the behaviour in tests.
//
//	q server [--listen ADDR] [--data DIR] [--database URL] [--config FILE] [--tls-cert F --tls-key F] [--public-url URL]
//	q server init --admin EMAIL [--data DIR] [--database URL]
func NewCmdServer(stdio IO, runF, initF func(*serverOptions) error) *cobra.Command {
	o := &serverOptions{IO: stdio, Getenv: os.Getenv}
	if runF == nil {
		runF = serverRun
	}
	if initF == nil {
		initF = serverInitRun
	}
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the organisation service (users, groups, subscriptions, API keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.applyConfig(cmd); err != nil {
				return err
			}
			return runF(o)
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.DataDir, "data", "", "data directory (default $XDG_DATA_HOME/qdev/server)")
	pf.StringVar(&o.Database, "database", "", "PostgreSQL URL (postgres://…); default: SQLite in the data directory")
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", defaultListen, "address to listen on")
	f.StringVar(&o.ConfigFile, "config", "", "JSON file with listen, data, database, tls_cert, tls_key, public_url, identity_providers")
	f.StringVar(&o.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM)")
	f.StringVar(&o.TLSKey, "tls-key", "", "private key of --tls-cert (PEM)")
	f.StringVar(&o.PublicURL, "public-url", "", "URL clients reach the server at, when a proxy stands in front (default: each request's own)")

	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Create the organisation and its first administrator; print the administrator's API key",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return initF(o) },
	}
	initCmd.Flags().StringVar(&o.Admin, "admin", "", "email of the first administrator (required)")
	cmd.AddCommand(initCmd)
	return cmd
}

// applyConfig reads --config, keeping flags given on the command line.
func (o *serverOptions) applyConfig(cmd *cobra.Command) error {
	if o.ConfigFile == "" {
		return nil
	}
	b, err := os.ReadFile(o.ConfigFile)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	var c serverConfig
	if err := decodeStrict(b, &c); err != nil {
		return fmt.Errorf("--config %s: %v", o.ConfigFile, err)
	}
	for flag, pair := range map[string][2]*string{
		"listen": {&o.Listen, &c.Listen}, "data": {&o.DataDir, &c.Data}, "database": {&o.Database, &c.Database},
		"tls-cert": {&o.TLSCert, &c.TLSCert}, "tls-key": {&o.TLSKey, &c.TLSKey}, "public-url": {&o.PublicURL, &c.PublicURL},
	} {
		if *pair[1] != "" && !cmd.Flags().Changed(flag) {
			*pair[0] = *pair[1]
		}
	}
	providers, err := federation.Load(c.IdentityProviders, o.Getenv, os.ReadFile)
	if err != nil {
		return fmt.Errorf("--config %s: %v", o.ConfigFile, err)
	}
	o.Providers = providers
	return nil
}

// decodeStrict decodes one JSON object, refusing unknown fields so that a
// misspelt setting is an error rather than silently ignored.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		// Name the setting and what it should be, not Go's types.
		return fmt.Errorf("%s: expected %s", te.Field, jsonerr.Kind(te.Type))
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// storeOptions resolves where the store is.
func (o *serverOptions) storeOptions() serverstore.Options {
	dir := o.DataDir
	if dir == "" {
		dir = filepath.Join(paths.DataDirFrom(o.Getenv), "server")
	}
	return serverstore.Options{Dir: dir, DatabaseURL: o.Database}
}

// serverInitRun creates the organisation and prints the first
// administrator's key on stdout, alone, so scripts can capture it.
func serverInitRun(o *serverOptions) error {
	if o.Admin == "" {
		return errors.New("--admin EMAIL is required")
	}
	email, err := serverstore.NormalizeEmail(o.Admin)
	if err != nil {
		return fmt.Errorf("--admin: %v", err)
	}
	ctx := context.Background()
	st, err := serverstore.Open(ctx, o.storeOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	key := apikey.New()
	if _, err := st.Initialise(ctx, email, apikey.Store(key)); err != nil {
		if errors.Is(err, serverstore.ErrAlreadyInitialised) {
			return &ExitError{Code: 1, Err: errors.New("the organisation is already initialised; nothing was changed")}
		}
		return err
	}
	fmt.Fprintln(o.IO.Out, key)
	return nil
}

// serverRun serves until SIGTERM or SIGINT (or o.Context ends), then
// finishes in-flight requests.
func serverRun(o *serverOptions) error {
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	ctx := o.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
	}
	st, err := serverstore.Open(ctx, o.storeOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	if ok, err := st.Initialised(ctx); err != nil {
		return err
	} else if !ok {
		return errors.New("the organisation is not initialised: run q server init --admin EMAIL first")
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %v", err)
	}
	scheme := "http"
	if o.TLSCert != "" {
		scheme = "https"
	}
	log := slog.New(slog.NewTextHandler(o.IO.ErrOut, nil))
	// The OpenID provider library logs through the default logger.
	slog.SetDefault(log)
	idp, err := identity.New(ctx, identity.Config{Store: st, Log: log, Issuer: o.PublicURL})
	if err != nil {
		ln.Close()
		return err
	}
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		runner := &serverjobs.Runner{Leases: st, Holder: replicaID(), Log: log}
		runner.Run(jobsCtx, idp.Jobs()...)
	}()
	defer func() { stopJobs(); <-jobsDone }()
	fmt.Fprintf(o.IO.ErrOut, "q server: listening on %s://%s\n", scheme, ln.Addr())
	srv := server.New(st, log, server.WithIdentity(idp))
	if len(o.Providers) > 0 {
		fed := federation.New(st, log, o.Providers)
		// A user signed in upstream gets the same browser session as one
		// signed in with a password.
		fed.OnSignIn = func(w http.ResponseWriter, r *http.Request, in federation.SignIn) error {
			if err := idp.SignIn(w, r, in.UserID); err != nil {
				return err
			}
			http.Redirect(w, r, identity.SafeNext(in.ReturnTo), http.StatusSeeOther)
			return nil
		}
		srv.Mount(federation.Prefix, fed)
	}
	con, err := console.New(console.Config{Store: st, Log: log, Identity: idp, Providers: o.Providers, PublicURL: o.PublicURL})
	if err != nil {
		ln.Close()
		return err
	}
	srv.Mount(console.Prefix, con)
	err = server.Serve(ctx, ln, srv.Handler(), o.TLSCert, o.TLSKey)
	fmt.Fprintln(o.IO.ErrOut, "q server: stopped")
	return err
}
