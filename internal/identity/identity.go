// Package identity makes the organisation service an OAuth 2.0 and OpenID
// Connect provider for its clients, q first of all: discovery, signing keys
// that rotate, the device authorization grant (RFC 8628) with its
// verification page, the authorization code grant with PKCE and a loopback
// redirect, refresh tokens that rotate, and revocation. People sign in to
// the browser pages with a local password; an upstream identity provider
// signs them in through Provider.SignIn.
//
// Everything a sign-in needs between two requests lives in the store, so
// any replica may serve any step of it.
package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/qdev/qdev/internal/serverjobs"
	"github.com/qdev/qdev/internal/serverstore"
)

// Lifetimes of what the provider issues.
const (
	// AccessTokenLifetime is how long an access token is valid. Short, so
	// that a leaked one is worth little; revocation and disabling the user
	// end it sooner.
	AccessTokenLifetime = time.Hour
	// RefreshIdle is how long a refresh token lasts unused, and RefreshMax
	// how long a login lasts in all (the 90 days of an IDE session).
	RefreshIdle = 30 * 24 * time.Hour
	RefreshMax  = 90 * 24 * time.Hour
	// SessionLifetime is how long a browser stays signed in.
	SessionLifetime = 8 * time.Hour
	// authRequestLifetime bounds a code flow from /authorize to the
	// token exchange, and deviceLifetime a device grant.
	authRequestLifetime = 10 * time.Minute
	deviceLifetime      = 10 * time.Minute
	devicePollInterval  = 5 * time.Second
)

// Paths of the provider's own pages.
const (
	signInPath  = "/signin"
	consentPath = "/signin/consent"
	signOutPath = "/signout"
	devicePath  = "/device"
	stylePath   = "/signin/style.css"
)

// Config configures a Provider.
type Config struct {
	Store *serverstore.Store
	Log   *slog.Logger
	// Issuer is the URL clients reach the service at. Empty means each
	// request's own: https when it came over TLS, with its Host.
	Issuer string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Provider is the OpenID provider and its sign-in pages.
type Provider struct {
	store  *serverstore.Store
	log    *slog.Logger
	now    func() time.Time
	issuer string
	op     *op.Provider
	keys   *keyring
	pages  *pages
	limits *limiter
	csrf   *http.CrossOriginProtection
}

// New returns a provider over cfg.Store. It reads (or, on a new store,
// creates) the secret that seals authorization codes, which every replica
// shares.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Issuer != "" {
		if err := checkIssuer(cfg.Issuer); err != nil {
			return nil, err
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	p := &Provider{store: cfg.Store, log: cfg.Log, now: now, issuer: cfg.Issuer,
		keys: &keyring{store: cfg.Store, now: now}, limits: newLimiter(now), csrf: http.NewCrossOriginProtection()}
	var err error
	if p.pages, err = loadPages(); err != nil {
		return nil, err
	}
	sealHex, err := cfg.Store.Secret(ctx, "code-seal", randomHex32)
	if err != nil {
		return nil, err
	}
	var seal [32]byte
	if n, err := hex.Decode(seal[:], []byte(sealHex)); err != nil || n != 32 {
		return nil, errors.New("identity: the stored code-sealing secret is damaged")
	}
	config := &op.Config{
		CryptoKey:             seal,
		CodeMethodS256:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       supportedScopes,
		SupportedClaims:       []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "azp", "client_id", "email", "email_verified", "name"},
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     deviceLifetime,
			PollInterval: devicePollInterval,
			UserFormPath: devicePath,
			UserCode:     op.UserCodeBase20,
		},
	}
	// Authorization codes are sealed with AES-GCM only: the library's
	// default also accepts unauthenticated AES-CFB, which nothing here
	// ever produced.
	p.op, err = op.NewProvider(config, &storage{p: p}, p.issuerFunc,
		op.WithAllowInsecure(), op.WithCrypto(op.NewAES256GCMCrypto(seal, "1")),
		// No endpoint reads cookies, and browsers need not send them.
		op.WithCORSOptions(&cors.Options{AllowOriginFunc: func(string) bool { return true },
			AllowedHeaders: []string{"Accept", "Authorization", "Content-Type"},
			AllowedMethods: []string{http.MethodGet, http.MethodPost}}))
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return p, nil
}

func randomHex32() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkIssuer accepts an http(s) URL with a host and nothing after the path.
func checkIssuer(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("public URL %q: expected http(s)://HOST[:PORT][/PATH]", s)
	}
	return nil
}

// issuerFunc gives the op library the issuer of each request: the
// configured one, or the request's scheme and Host.
func (p *Provider) issuerFunc(bool) (op.IssuerFromRequest, error) {
	return p.issuerOf, nil
}

func (p *Provider) issuerOf(r *http.Request) string {
	if p.issuer != "" {
		return p.issuer
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// secure reports whether r reached the service over HTTPS, directly or
// (with a configured https issuer) through a proxy: cookies are Secure then.
func (p *Provider) secure(r *http.Request) bool {
	return r.TLS != nil || (p.issuer != "" && p.issuer[:5] == "https")
}

// Route is one endpoint the provider serves, for the server's mux.
type Route struct {
	Pattern string
	Handler http.Handler
}

// Routes lists the provider's endpoints: the OpenID provider's and the
// sign-in pages. None needs an API key; each authenticates in its own way.
func (p *Provider) Routes() []Route {
	o := p.op
	// The endpoints a client calls with a secret in hand, and the one that
	// starts a device grant, are rate limited per address: guessing codes
	// and tokens must be slow work.
	limited := p.limits.wrap(tokenRate, o)
	page := func(h http.HandlerFunc) http.Handler { return p.pageHeaders(h) }
	post := func(h http.HandlerFunc) http.Handler { return p.pageHeaders(p.csrf.Handler(h)) }
	return []Route{
		{oidc.DiscoveryEndpoint, o},
		{o.AuthorizationEndpoint().Relative(), o},
		{o.AuthorizationEndpoint().Relative() + "/callback", o},
		{o.KeysEndpoint().Relative(), o},
		{o.UserinfoEndpoint().Relative(), o},
		{o.EndSessionEndpoint().Relative(), o},
		{o.TokenEndpoint().Relative(), limited},
		{o.RevocationEndpoint().Relative(), limited},
		{o.IntrospectionEndpoint().Relative(), p.limits.wrap(tokenRate, http.HandlerFunc(refuseIntrospection))},
		{o.DeviceAuthorizationEndpoint().Relative(), limited},

		{"GET " + signInPath, page(p.signInPage)},
		{"POST " + signInPath, post(p.signInSubmit)},
		{"GET " + consentPath, page(p.consentPage)},
		{"POST " + consentPath, post(p.consentSubmit)},
		{"POST " + signOutPath, post(p.signOut)},
		{"GET " + devicePath, page(p.devicePage)},
		{"POST " + devicePath, post(p.deviceSubmit)},
		{"GET " + stylePath, http.HandlerFunc(p.style)},
	}
}

// refuseIntrospection answers every introspection request: introspection
// is for clients that authenticate, and none can (q is a public client:
// AuthorizeClientIDSecret and GetKeyByIDAndClientID refuse all). The
// library's own handler would refuse too, but in plain text made of its
// internal error's fields ("ErrorType=... Parent=...").
func refuseIntrospection(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("WWW-Authenticate", `Basic realm="qdev"`)
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(`{"error":"invalid_client","error_description":"no client may introspect tokens"}` + "\n"))
}

// Jobs returns the provider's housekeeping, to run on one replica: it
// deletes what has expired and rotates the signing keys.
func (p *Provider) Jobs() []serverjobs.Job {
	return []serverjobs.Job{
		{Name: "identity-purge", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			return p.store.PurgeExpiredIdentity(ctx, p.now())
		}},
		{Name: "identity-keys", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := p.keys.rotate(ctx)
			return err
		}},
	}
}
