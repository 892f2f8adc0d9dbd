// Package federation signs users in through upstream OpenID Connect
// providers (Entra ID, Okta, Google, Keycloak…): the authorization code
// flow with PKCE, state and nonce, the ID token verified with go-oidc, the
// user found by the provider's subject or email (or created), and the
// provider's groups claim mapped to qdev groups. A login in progress lives
// in the store, so whichever replica the provider redirects the browser
// to can finish it. Starting the browser session is not this package's
// job: on success it calls OnSignIn.
package federation

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/qdev/qdev/internal/serverstore"
)

// LoginTTL is how long a started sign-in may take to come back.
const LoginTTL = 10 * time.Minute

// stateCookie binds a sign-in to the browser that started it, so that a
// callback URL sent to someone else signs no one in.
const stateCookie = "qdev_upstream_state"

// Prefix is the path under which the sign-in pages are served, one per
// provider: Prefix+NAME starts a sign-in, Prefix+NAME+"/callback" finishes
// it.
const Prefix = "/login/upstream/"

// SignInPath is the page that signs a user in through p.
func (p *Provider) SignInPath() string { return Prefix + p.Name }

// callbackPath is where p sends the browser back to.
func (p *Provider) callbackPath() string { return p.SignInPath() + "/callback" }

// SignIn is a successful sign-in through a provider.
type SignIn struct {
	UserID, Email string
	Provider      string
	// ReturnTo is the local path the sign-in was started for, if any.
	ReturnTo string
	// Created is true when the user was created by this sign-in.
	Created bool
}

// Federation serves /login/upstream/{idp} and its callback for the
// configured providers.
type Federation struct {
	store     *serverstore.Store
	log       *slog.Logger
	providers map[string]*upstream
	mux       *http.ServeMux

	// OnSignIn starts the user's session and answers the browser. When
	// nil, a page saying who signed in is shown.
	OnSignIn func(w http.ResponseWriter, r *http.Request, s SignIn) error
	// HTTPClient talks to the providers; nil means one with a timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// upstream is a provider with its discovery document, fetched at the first
// sign-in and kept (the discovery document describes the provider, not a
// user, so a replica may cache it).
type upstream struct {
	*Provider
	mu       sync.Mutex
	oidc     *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// New returns the sign-in routes for providers over store.
func New(store *serverstore.Store, log *slog.Logger, providers []*Provider) *Federation {
	f := &Federation{store: store, log: log, providers: map[string]*upstream{}, mux: http.NewServeMux()}
	for _, p := range providers {
		f.providers[p.Name] = &upstream{Provider: p}
	}
	f.mux.HandleFunc("GET "+Prefix+"{idp}", f.login)
	f.mux.HandleFunc("GET "+Prefix+"{idp}/callback", f.callback)
	f.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		f.fail(w, r, http.StatusNotFound, "There is no such sign-in page.", nil)
	})
	return f
}

// ServeHTTP serves the requests under Prefix.
func (f *Federation) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

func (f *Federation) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// clientContext carries the HTTP client go-oidc and oauth2 use.
func (f *Federation) clientContext(ctx context.Context) context.Context {
	hc := f.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return oidc.ClientContext(ctx, hc)
}

// discover returns the provider's OIDC client, fetching its discovery
// document the first time; a failure is retried at the next sign-in.
func (f *Federation) discover(ctx context.Context, u *upstream) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.oidc == nil {
		// The provider object outlives this request: its key set must not
		// use a context that ends with it.
		p, err := oidc.NewProvider(f.clientContext(ctx), u.Issuer)
		if err != nil {
			return nil, nil, err
		}
		u.oidc = p
		u.verifier = p.VerifierContext(f.clientContext(context.Background()), &oidc.Config{ClientID: u.ClientID})
	}
	return u.oidc, u.verifier, nil
}

// oauthConfig is the authorization code flow's configuration for a
// request: the callback URL is the configured one or the request's own.
func (u *upstream) oauthConfig(p *oidc.Provider, r *http.Request) *oauth2.Config {
	redirect := u.RedirectURL
	if redirect == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		redirect = scheme + "://" + r.Host + u.callbackPath()
	}
	return &oauth2.Config{
		ClientID: u.ClientID, ClientSecret: u.secret(), Endpoint: p.Endpoint(), RedirectURL: redirect,
		Scopes: append([]string{oidc.ScopeOpenID}, u.Scopes...),
	}
}

// login starts a sign-in: it records state, nonce and PKCE verifier in the
// store, binds the state to the browser with a cookie, and redirects to
// the provider.
func (f *Federation) login(w http.ResponseWriter, r *http.Request) {
	u, ok := f.providers[r.PathValue("idp")]
	if !ok {
		f.fail(w, r, http.StatusNotFound, "There is no such identity provider.", nil)
		return
	}
	returnTo := r.URL.Query().Get("return_to")
	if returnTo != "" && !localPath(returnTo) {
		f.fail(w, r, http.StatusBadRequest, "return_to must be a path on this server.", nil)
		return
	}
	p, _, err := f.discover(r.Context(), u)
	if err != nil {
		f.fail(w, r, http.StatusBadGateway, "The identity provider "+u.Name+" cannot be reached; try again later.", err)
		return
	}
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	if err := f.store.CreateFederationLogin(r.Context(), serverstore.FederationLogin{
		State: state, Provider: u.Name, Nonce: nonce, Verifier: verifier, ReturnTo: returnTo,
		ExpiresAt: f.now().Add(LoginTTL),
	}); err != nil {
		f.fail(w, r, http.StatusInternalServerError, "The sign-in could not be started.", err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: state, Path: u.callbackPath(), MaxAge: int(LoginTTL.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	url := u.oauthConfig(p, r).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, url, http.StatusFound)
}

// localPath reports whether s is a path on this server, and nothing that
// a browser would take to another host.
func localPath(s string) bool {
	return len(s) <= 1024 && strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") &&
		!strings.ContainsAny(s, "\\\r\n\t")
}

// random returns 256 random bits, base64url.
func random() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sameState compares the state the provider sent back with the browser's
// cookie in constant time.
func sameState(r *http.Request, state string) bool {
	c, err := r.Cookie(stateCookie)
	return err == nil && state != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) == 1
}

// errorCode is the part of an OAuth error that is safe to log: the code
// and description the provider chose to send, never its whole answer.
func errorCode(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := "the provider refused the code: " + re.ErrorCode
		if re.ErrorDescription != "" {
			msg += " (" + re.ErrorDescription + ")"
		}
		if re.ErrorCode == "" {
			msg = "the provider's token endpoint answered " + re.Response.Status
		}
		return errors.New(msg)
	}
	return err
}
