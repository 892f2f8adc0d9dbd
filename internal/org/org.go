// Package org is the client side of the organisation service: signing in
// to an organisation's q server (q login, with a browser and PKCE or with
// the device flow), keeping the tokens in the data directory and refreshing
// them silently, signing out (q logout), and finding the credential a
// command uses — an API key from the environment for headless use, or the
// logged-in session. Without a login and without an API key q works
// standalone: nothing here runs.
package org

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
	"github.com/qdev/qdev/internal/paths"
)

// Errors commands show as they are: one line, saying what to do.
var (
	ErrNotLoggedIn    = errors.New("not logged in: run q login (or set QDEV_API_KEY and QDEV_START_URL)")
	ErrSessionExpired = errors.New("your session has expired: run q login")
)

// refreshBefore is how long before its expiry an access token is renewed,
// so that it does not expire in the middle of what a command does.
const refreshBefore = 2 * time.Minute

// Client signs in to organisations and hands out credentials.
type Client struct {
	// Dir holds the session file (DefaultDir).
	Dir    string
	Getenv paths.Getenv
	// HTTP makes the requests; nil means a client with a one-minute timeout.
	HTTP *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New returns a client keeping its sessions in the default directory.
func New(getenv paths.Getenv) *Client {
	return &Client{Dir: DefaultDir(getenv), Getenv: getenv}
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return &http.Client{Timeout: time.Minute}
	}
	return c.HTTP
}

func (c *Client) store() sessionStore { return sessionStore{dir: c.Dir} }

// Credential kinds.
const (
	KindLogin  = "login"
	KindAPIKey = "api_key"
)

// Credential is what a command authenticates to a server with.
type Credential struct {
	StartURL string
	Token    string // sent as a bearer token
	Kind     string // KindLogin or KindAPIKey
}

// NormalizeStartURL checks that s is an http(s) URL of a server and
// returns it without a trailing slash, the form sessions are kept under.
func NormalizeStartURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("start URL %q: expected http(s)://HOST[:PORT][/PATH]", s)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// Credential returns the credential for server (a start URL; empty means
// the current profile's). An API key in QDEV_API_KEY wins, for the server
// given or QDEV_START_URL. Otherwise the logged-in session is used, its
// access token refreshed first when it is about to expire.
func (c *Client) Credential(ctx context.Context, server string) (Credential, error) {
	if key := c.Getenv(adminclient.EnvAPIKey); key != "" {
		if server == "" {
			server = c.Getenv(adminclient.EnvStartURL)
		}
		if server == "" {
			return Credential{}, fmt.Errorf("%s is set but not the server: set %s or pass --server", adminclient.EnvAPIKey, adminclient.EnvStartURL)
		}
		u, err := NormalizeStartURL(server)
		if err != nil {
			return Credential{}, err
		}
		return Credential{StartURL: u, Token: key, Kind: KindAPIKey}, nil
	}
	if server == "" {
		server = c.Getenv(adminclient.EnvStartURL)
	}
	want := ""
	if server != "" {
		var err error
		if want, err = NormalizeStartURL(server); err != nil {
			return Credential{}, err
		}
	}
	var cred Credential
	err := c.store().update(func(all *Sessions) error {
		if want == "" {
			want = all.Current
		}
		sess, ok := all.Find(want)
		if !ok {
			if want != "" && len(all.Sessions) > 0 {
				return fmt.Errorf("not logged in to %s: run q login --start-url %s", want, want)
			}
			return ErrNotLoggedIn
		}
		if err := c.refresh(ctx, sess); err != nil {
			if errors.Is(err, ErrSessionExpired) {
				all.Remove(sess.StartURL)
				return nil
			}
			return err
		}
		cred = Credential{StartURL: sess.StartURL, Token: sess.AccessToken, Kind: KindLogin}
		return nil
	})
	if err == nil && cred.Token == "" {
		err = ErrSessionExpired
	}
	return cred, err
}

// oauthConfig is the OAuth client configuration for a session's server.
func (c *Client) oauthConfig(clientID, tokenURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, Scopes: scopes,
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
}

// scopes are what q asks for: who the user is, and a refresh token.
var scopes = []string{"openid", "email", "profile", "offline_access"}

// refresh renews sess's access token when it expires within refreshBefore.
// A refused refresh token means the session is over: ErrSessionExpired.
func (c *Client) refresh(ctx context.Context, sess *Session) error {
	if c.now().Add(refreshBefore).Before(sess.Expiry) {
		return nil
	}
	if sess.RefreshToken == "" {
		return ErrSessionExpired
	}
	cfg := c.oauthConfig(sess.ClientID, sess.TokenEndpoint)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: sess.RefreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "access_denied") {
			return ErrSessionExpired
		}
		return fmt.Errorf("server %s: renewing the session: %s", sess.StartURL, oneLine(err))
	}
	c.apply(sess, tok)
	return nil
}

// apply stores tok's tokens in sess. A server that does not rotate refresh
// tokens sends none back; the old one stays.
func (c *Client) apply(sess *Session, tok *oauth2.Token) {
	sess.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		sess.RefreshToken = tok.RefreshToken
	}
	sess.Expiry = tok.Expiry
	if sess.Expiry.IsZero() {
		sess.Expiry = c.now().Add(5 * time.Minute)
	}
}

// Profiles returns the sessions and the start URL of the current one.
func (c *Client) Profiles() ([]Session, string, error) {
	all, err := c.store().load()
	if err != nil {
		return nil, "", err
	}
	return all.Sessions, all.Current, nil
}

// SelectProfile makes the session for startURL the current one.
func (c *Client) SelectProfile(startURL string) error {
	u, err := NormalizeStartURL(startURL)
	if err != nil {
		return err
	}
	return c.store().update(func(all *Sessions) error {
		if _, ok := all.Find(u); !ok {
			return fmt.Errorf("not logged in to %s: run q login --start-url %s", u, u)
		}
		all.Current = u
		return nil
	})
}

// ClientID is the OAuth client id q signs in as.
const ClientID = adminapi.CLIClientID

// oneLine makes an error one line, for the terminal.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
