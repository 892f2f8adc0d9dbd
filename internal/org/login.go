package org

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// LoginOptions say how to log in.
type LoginOptions struct {
	StartURL string
	// DeviceFlow uses the device authorization grant: the user signs in
	// on any device with the URL and code printed. Otherwise q opens a
	// browser here and receives the result on a loopback address.
	DeviceFlow bool
	// License is recorded with the session (free or pro).
	License string
	// Out receives the instructions for the user.
	Out io.Writer
	// OpenBrowser opens a URL for the user; nil means Client.OpenBrowser.
	OpenBrowser func(url string) error
	// Timeout bounds the wait for the user; zero means ten minutes.
	Timeout time.Duration
}

// Login signs in to the server at o.StartURL and keeps the session as the
// current profile.
func (c *Client) Login(ctx context.Context, o LoginOptions) (Session, error) {
	start, err := NormalizeStartURL(o.StartURL)
	if err != nil {
		return Session{}, err
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	m, err := c.Discover(ctx, start)
	if err != nil {
		return Session{}, err
	}
	cfg := &oauth2.Config{ClientID: ClientID, Scopes: scopes, Endpoint: oauth2.Endpoint{AuthURL: m.AuthorizationEndpoint,
		TokenURL: m.TokenEndpoint, DeviceAuthURL: m.DeviceAuthorizationEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
	var tok *oauth2.Token
	if o.DeviceFlow {
		tok, err = c.deviceFlow(ctx, cfg, o)
	} else {
		tok, err = c.browserFlow(ctx, cfg, o)
	}
	if err != nil {
		return Session{}, loginError(start, err)
	}
	sess := Session{StartURL: start, ClientID: ClientID, TokenEndpoint: m.TokenEndpoint, RevocationEndpoint: m.RevocationEndpoint,
		License: o.License, LoggedInAt: c.now().UTC()}
	c.apply(&sess, tok)
	if sess.AccessToken == "" {
		return Session{}, fmt.Errorf("server %s: the sign-in gave no access token", start)
	}
	if err := c.store().update(func(all *Sessions) error { all.Put(sess); return nil }); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// loginError says in one line why a sign-in ended without a session.
func loginError(start string, err error) error {
	var re *oauth2.RetrieveError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("the sign-in timed out; run q login again")
	case errors.As(err, &re) && re.ErrorCode == "access_denied":
		return errors.New("the sign-in was refused")
	case errors.As(err, &re) && re.ErrorCode == "expired_token":
		return errors.New("the code expired before it was approved; run q login again")
	case errors.As(err, &re) && re.ErrorCode != "":
		msg := re.ErrorCode
		if re.ErrorDescription != "" {
			msg += ": " + re.ErrorDescription
		}
		return fmt.Errorf("server %s refused the sign-in: %s", start, oneLine(errors.New(msg)))
	}
	return fmt.Errorf("server %s: %s", start, oneLine(err))
}

// deviceFlow runs the device authorization grant (RFC 8628): it prints the
// verification URL and the code, then polls until the user has decided.
func (c *Client) deviceFlow(ctx context.Context, cfg *oauth2.Config, o LoginOptions) (*oauth2.Token, error) {
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkHTTPURL(da.VerificationURI); err != nil {
		return nil, err
	}
	if da.UserCode == "" || strings.Trim(da.UserCode, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return nil, errors.New("the server sent a user code q cannot show")
	}
	fmt.Fprintf(o.Out, "To sign in, open this page in a browser on any device:\n\n  %s\n\nand enter the code: %s\n\n",
		da.VerificationURI, da.UserCode)
	if da.VerificationURIComplete != "" && checkHTTPURL(da.VerificationURIComplete) == nil {
		fmt.Fprintf(o.Out, "Or open this page, which has the code in it:\n\n  %s\n\n", da.VerificationURIComplete)
	}
	fmt.Fprintln(o.Out, "Waiting for you to approve…")
	return cfg.DeviceAccessToken(ctx, da)
}

// checkHTTPURL refuses a URL that is not http(s): the server's answer is
// printed for the user to open, and must not be anything else.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\r\n\x1b") {
		return fmt.Errorf("the server sent a verification address that is not an http(s) URL")
	}
	return nil
}

// browserFlow runs the authorization code grant with PKCE: q listens on a
// loopback port, opens the browser at the server's sign-in page, and
// receives the code when the user has approved (RFC 8252).
func (c *Client) browserFlow(ctx context.Context, cfg *oauth2.Config, o LoginOptions) (*oauth2.Token, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the browser: %w", err)
	}
	defer ln.Close()
	cfg.RedirectURL = fmt.Sprintf("http://%s/callback", ln.Addr())
	verifier := oauth2.GenerateVerifier()
	state := randomState()
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		var res result
		switch {
		case q.Get("state") != state:
			// Not the answer to our request: ignore it, keep waiting.
			http.Error(w, "This is not the sign-in q is waiting for.", http.StatusBadRequest)
			return
		case q.Get("error") != "":
			res.err = &oauth2.RetrieveError{ErrorCode: q.Get("error"), ErrorDescription: q.Get("error_description")}
		case q.Get("code") == "":
			res.err = errors.New("the server sent the browser back without a code")
		default:
			res.code = q.Get("code")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		msg := "You are signed in. You can close this window and go back to the terminal."
		if res.err != nil {
			msg = "The sign-in did not complete: " + res.err.Error()
		}
		fmt.Fprintf(w, "<!doctype html><title>q login</title><p>%s</p>\n", html.EscapeString(msg))
		select {
		case done <- res:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	fmt.Fprintf(o.Out, "Opening the browser to sign in. If it does not open, open this page:\n\n  %s\n\n", authURL)
	open := o.OpenBrowser
	if open == nil {
		open = c.OpenBrowser
	}
	if err := open(authURL); err != nil {
		fmt.Fprintf(o.Out, "(Could not open a browser: %s. Or use q login --use-device-flow.)\n", oneLine(err))
	}
	fmt.Fprintln(o.Out, "Waiting for you to approve…")
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-done:
		if res.err != nil {
			return nil, res.err
		}
		return cfg.Exchange(ctx, res.code, oauth2.VerifierOption(verifier))
	}
}

func randomState() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
