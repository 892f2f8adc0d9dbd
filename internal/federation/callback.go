package federation

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/qdev/qdev/internal/serverstore"
)

// claims are the ID token claims a sign-in uses.
type claims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
}

// callback finishes a sign-in: the state must be the one this browser
// started with and still pending; the code is exchanged with the PKCE
// verifier; the ID token must verify (issuer, audience, expiry,
// signature) and carry the nonce. Then the user is found or created and
// their mapped groups set.
func (f *Federation) callback(w http.ResponseWriter, r *http.Request) {
	u, ok := f.providers[r.PathValue("idp")]
	if !ok {
		f.fail(w, r, http.StatusNotFound, "There is no such identity provider.", nil)
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if !sameState(r, state) {
		f.fail(w, r, http.StatusBadRequest, "This sign-in was not started in this browser, or it took too long; start again.", nil)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Path: u.callbackPath(), MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	login, err := f.store.TakeFederationLogin(r.Context(), state, f.now())
	if errors.Is(err, serverstore.ErrNotFound) || (err == nil && login.Provider != u.Name) {
		f.fail(w, r, http.StatusBadRequest, "This sign-in has expired or was already used; start again.", nil)
		return
	}
	if err != nil {
		f.fail(w, r, http.StatusInternalServerError, "The sign-in could not be finished.", err)
		return
	}
	// RFC 9207: a provider that names itself must be the one asked, so a
	// response from another provider cannot be passed off as this one's.
	if iss := q.Get("iss"); iss != "" && iss != u.Issuer {
		f.fail(w, r, http.StatusBadRequest, "The answer came from another identity provider; start again.", nil)
		return
	}
	if e := q.Get("error"); e != "" {
		f.fail(w, r, http.StatusForbidden, "The identity provider did not sign you in ("+oneLine(e, 100)+").", nil)
		return
	}
	c, groups, err := f.verify(r, u, login, q.Get("code"))
	if err != nil {
		f.fail(w, r, http.StatusBadGateway, "The identity provider's answer could not be verified; start again.", err)
		return
	}
	email, err := serverstore.NormalizeEmail(c.Email)
	switch {
	case c.Email == "":
		f.fail(w, r, http.StatusForbidden, "The identity provider did not give an email address (is the email scope allowed?).", nil)
		return
	case err != nil:
		f.fail(w, r, http.StatusForbidden, "The identity provider gave an email that is not an address.", nil)
		return
	case c.EmailVerified != nil && !*c.EmailVerified:
		f.fail(w, r, http.StatusForbidden, "The identity provider has not verified the email "+email+".", nil)
		return
	}
	managed, want := u.managed(groups)
	user, created, err := f.store.SignInFederated(r.Context(), serverstore.FederatedSignIn{
		Provider: u.Name, Subject: c.Subject, Email: email, Name: oneLine(c.Name, 200),
		CreateUsers: u.CreateUsers, Managed: managed, Groups: want,
	})
	switch {
	case errors.Is(err, serverstore.ErrNoAccount):
		f.fail(w, r, http.StatusForbidden, email+" has no account in this organisation; ask an administrator to add you.", nil)
		return
	case errors.Is(err, serverstore.ErrUserDisabled):
		f.fail(w, r, http.StatusForbidden, "The account "+email+" is disabled.", nil)
		return
	case errors.Is(err, serverstore.ErrIdentityLinked):
		f.fail(w, r, http.StatusForbidden, "The account "+email+" is linked to another "+u.Name+" identity.", nil)
		return
	case err != nil:
		f.fail(w, r, http.StatusInternalServerError, "The sign-in could not be finished.", err)
		return
	}
	f.log.Info("signed in through an upstream provider", "provider", u.Name, "user", user.ID, "created", created, "groups", want)
	s := SignIn{UserID: user.ID, Email: user.Email, Provider: u.Name, ReturnTo: login.ReturnTo, Created: created}
	if f.OnSignIn == nil {
		signedIn(w, s)
		return
	}
	if err := f.OnSignIn(w, r, s); err != nil {
		f.fail(w, r, http.StatusInternalServerError, "The session could not be started.", err)
	}
}

// verify exchanges code and verifies the ID token, returning its claims
// and the groups claim (nil when absent).
func (f *Federation) verify(r *http.Request, u *upstream, login serverstore.FederationLogin, code string) (claims, []string, error) {
	if code == "" {
		return claims{}, nil, errors.New("the callback has no code")
	}
	ctx, cancel := context.WithTimeout(f.clientContext(r.Context()), 30*time.Second)
	defer cancel()
	p, verifier, err := f.discover(ctx, u)
	if err != nil {
		return claims{}, nil, err
	}
	tok, err := u.oauthConfig(p, r).Exchange(ctx, code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		return claims{}, nil, errorCode(err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return claims{}, nil, errors.New("the token response has no ID token")
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return claims{}, nil, err
	}
	if idt.Nonce != login.Nonce {
		return claims{}, nil, errors.New("the ID token's nonce is not this sign-in's")
	}
	var c claims
	var all map[string]any
	if err := idt.Claims(&c); err != nil {
		return claims{}, nil, fmt.Errorf("ID token claims: %w", err)
	}
	if err := idt.Claims(&all); err != nil {
		return claims{}, nil, fmt.Errorf("ID token claims: %w", err)
	}
	groups, err := groupsClaim(all, u.GroupsClaim)
	if err != nil && len(u.Groups) > 0 {
		f.log.Warn("groups claim unusable: the provider's groups are taken as none", "provider", u.Name, "err", err)
	}
	return c, groups, nil
}

// groupsClaim reads the claim name: a list of strings, or one string.
// Absent is no groups.
func groupsClaim(all map[string]any, name string) ([]string, error) {
	switch v := all[name].(type) {
	case nil:
		return nil, fmt.Errorf("the ID token has no %q claim", name)
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("the %q claim holds a non-string", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("the %q claim is neither a string nor a list", name)
}

// oneLine makes text from outside one line of at most n bytes.
func oneLine(s string, n int) string {
	b := []rune{}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		b = append(b, r)
	}
	out := string(b)
	if len(out) > n {
		out = out[:n]
	}
	return out
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p></main></body></html>
`))

// writePage answers a small HTML page; the CSP forbids everything but the
// page itself.
func writePage(w http.ResponseWriter, status int, title, message string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	page.Execute(w, struct{ Title, Message string }{title, message})
}

// fail answers a sign-in that cannot go on with one line for the user;
// err, the cause, goes to the log only.
func (f *Federation) fail(w http.ResponseWriter, r *http.Request, status int, message string, err error) {
	if err != nil {
		f.log.Warn("upstream sign-in failed", "path", r.URL.Path, "status", status, "err", err)
	}
	writePage(w, status, "Sign-in failed", message)
}

// signedIn is the page shown when no OnSignIn was set.
func signedIn(w http.ResponseWriter, s SignIn) {
	writePage(w, http.StatusOK, "Signed in", "Signed in as "+s.Email+" through "+s.Provider+".")
}
