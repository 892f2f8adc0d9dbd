package identity

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/qdev/qdev/internal/serverstore"
)

// signInPage shows the password form, or, to a browser already signed in,
// sends it on to where it was going.
func (p *Provider) signInPage(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if u, ok := p.sessionUser(r); ok {
		if next != "" {
			http.Redirect(w, r, SafeNext(next), http.StatusSeeOther)
			return
		}
		p.message(w, r, http.StatusOK, "Signed in", "You are signed in to your organisation as "+u.Email+".", u.Email)
		return
	}
	p.render(w, http.StatusOK, "signin", pageData{Title: "Sign in", CSRF: p.csrfToken(w, r), Next: next})
}

// signInSubmit checks an email and password. Failures count against the
// account and the address; past their budget, sign-in is refused for a
// while even with the right password, so that guessing stays slow.
func (p *Provider) signInSubmit(w http.ResponseWriter, r *http.Request) {
	if err := p.parseForm(r); err != nil {
		p.formFailed(w, r, err)
		return
	}
	next := r.PostForm.Get("next")
	rawEmail, pw := r.PostForm.Get("email"), r.PostForm.Get("password")
	again := func(status int, msg string) {
		p.render(w, status, "signin", pageData{Title: "Sign in", CSRF: p.csrfToken(w, r), Next: next, Email: rawEmail, Error: msg})
	}
	email, err := serverstore.NormalizeEmail(rawEmail)
	if err != nil {
		email = "" // still counted against the address below
	}
	addr := clientAddress(r)
	limits := map[string]int{addressSubject(addr): addressFailures}
	if email != "" {
		limits[accountSubject(email)] = accountFailures
	}
	// The attempt counts as a failure from before the password is
	// checked, and is forgiven once it turns out right.
	ctx := context.WithoutCancel(r.Context())
	at, allowed, err := p.takeAttempt(ctx, limits)
	if err != nil {
		p.log.Error("checking sign-in failures", "err", err)
		again(http.StatusServiceUnavailable, "Sign-in is unavailable right now. Try again in a moment.")
		return
	}
	if !allowed {
		again(http.StatusTooManyRequests, "Too many failed sign-ins. Wait 15 minutes, then try again.")
		return
	}
	u, ok := p.checkPassword(r, email, pw)
	if !ok {
		again(http.StatusUnauthorized, "The email or password is not right.")
		return
	}
	if err := p.store.ClearFailures(ctx, accountSubject(email)); err != nil {
		p.log.Error("clearing sign-in failures", "err", err)
	}
	p.forgiveAttempt(ctx, at, addressSubject(addr))
	if err := p.SignIn(w, r, u.ID); err != nil {
		p.log.Error("starting a browser session", "err", err)
		again(http.StatusServiceUnavailable, "Sign-in is unavailable right now. Try again in a moment.")
		return
	}
	http.Redirect(w, r, SafeNext(next), http.StatusSeeOther)
}

// checkPassword returns the enabled user with that email when pw is their
// password. It takes as long for an unknown account as for a known one.
func (p *Provider) checkPassword(r *http.Request, email, pw string) (serverstore.User, bool) {
	u, hash, err := p.store.PasswordHash(r.Context(), email)
	if err != nil {
		if !errors.Is(err, serverstore.ErrNotFound) {
			p.log.Error("reading a password hash", "err", err)
		}
		VerifyPassword(dummyHash(), pw)
		return serverstore.User{}, false
	}
	ok, err := VerifyPassword(hash, pw)
	if err != nil {
		p.log.Error("checking a password", "user", u.ID, "err", err)
	}
	return u, ok
}

// signOut ends the browser's session.
func (p *Provider) signOut(w http.ResponseWriter, r *http.Request) {
	if err := p.parseForm(r); err != nil {
		p.formFailed(w, r, err)
		return
	}
	name := p.cookieName(r, sessionCookie)
	if c, err := r.Cookie(name); err == nil {
		if err := p.store.DeleteWebSession(r.Context(), c.Value); err != nil {
			p.log.Error("ending a browser session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: p.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, signInPath, http.StatusSeeOther)
}

// consentPage asks the signed-in user to let q sign in as them: the page
// /authorize sends the browser to (cliClient.LoginURL).
func (p *Provider) consentPage(w http.ResponseWriter, r *http.Request) {
	req, ok := p.pendingAuthRequest(w, r, r.URL.Query().Get("id"))
	if !ok {
		return
	}
	u, ok := p.sessionUser(r)
	if !ok {
		toSignIn(w, r)
		return
	}
	p.allowRedirectTo(w, req.RedirectURI)
	p.render(w, http.StatusOK, "consent", pageData{Title: "Allow q to sign in?", CSRF: p.csrfToken(w, r), User: u.Email, ID: req.id})
}

// consentSubmit records the decision and sends the browser back through
// the provider (which hands q its code) or straight to q with the refusal.
func (p *Provider) consentSubmit(w http.ResponseWriter, r *http.Request) {
	if err := p.parseForm(r); err != nil {
		p.formFailed(w, r, err)
		return
	}
	req, ok := p.pendingAuthRequest(w, r, r.PostForm.Get("id"))
	if !ok {
		return
	}
	u, ok := p.sessionUser(r)
	if !ok {
		http.Redirect(w, r, signInPath+"?next="+url.QueryEscape(consentPath+"?id="+req.id), http.StatusSeeOther)
		return
	}
	p.allowRedirectTo(w, req.RedirectURI)
	if r.PostForm.Get("decision") != "allow" {
		if err := p.store.DeleteAuthRequest(r.Context(), req.id); err != nil {
			p.log.Error("deleting a refused authorization request", "err", err)
		}
		back, err := url.Parse(req.RedirectURI)
		if err != nil {
			p.message(w, r, http.StatusBadRequest, "Sign-in refused", "You refused the sign-in. You can close this window.", u.Email)
			return
		}
		q := back.Query()
		q.Set("error", "access_denied")
		q.Set("error_description", "the user refused")
		if req.State != "" {
			q.Set("state", req.State)
		}
		back.RawQuery = q.Encode()
		http.Redirect(w, r, back.String(), http.StatusSeeOther)
		return
	}
	if err := p.store.ApproveAuthRequest(r.Context(), req.id, u.ID, p.now(), p.now()); err != nil {
		p.message(w, r, http.StatusBadRequest, "Sign-in expired",
			"This sign-in request has expired or was already used. Run q login again.", u.Email)
		return
	}
	http.Redirect(w, r, p.op.AuthorizationEndpoint().Relative()+"/callback?id="+url.QueryEscape(req.id), http.StatusSeeOther)
}

// pendingAuthRequest loads the authorization request id that nobody has
// approved yet, answering with an explanation when there is none.
func (p *Provider) pendingAuthRequest(w http.ResponseWriter, r *http.Request, id string) (*authRequest, bool) {
	sr, err := p.store.AuthRequestByID(r.Context(), id, p.now())
	var req *authRequest
	if err == nil {
		req, err = newAuthRequest(sr)
	}
	if err != nil || req.Done() {
		if err != nil && !errors.Is(err, serverstore.ErrNotFound) {
			p.log.Error("reading an authorization request", "err", err)
		}
		p.message(w, r, http.StatusBadRequest, "Sign-in expired",
			"This sign-in request has expired, was already used, or is unknown. Run q login again.", "")
		return nil, false
	}
	return req, true
}

// allowRedirectTo widens the page's form-action to the client's redirect
// URI: browsers apply form-action to the redirects that follow a form, and
// the consent form ends at q's loopback address.
func (p *Provider) allowRedirectTo(w http.ResponseWriter, redirectURI string) {
	u, err := url.Parse(redirectURI)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		strings.Trim(u.Host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:[]-") != "" {
		return
	}
	w.Header().Set("Content-Security-Policy", policy("'self' "+u.Scheme+"://"+u.Host))
}
