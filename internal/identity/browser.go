package identity

import (
	"net/http"
	"net/url"

	"github.com/qdev/qdev/internal/serverstore"
)

// What other packages' browser pages (the web console) share with the
// provider's own: who is signed in, the anti-forgery token of forms, and
// where signing in and out happen. They have one session and one token, so
// signing in once serves every page.

// Paths of the sign-in page and of the form that signs out.
const (
	SignInPath  = signInPath
	SignOutPath = signOutPath
)

// SignInURL returns the sign-in page's path, which sends the browser on to
// next (a path on this site) once signed in.
func SignInURL(next string) string {
	return signInPath + "?next=" + url.QueryEscape(next)
}

// SessionUser returns the user signed in to the browser that sent r: the
// holder of an unexpired session SignIn started, while their account is
// enabled. It reads the store each time, so that a disabled user or an
// ended session is refused at once, on every replica.
func (p *Provider) SessionUser(r *http.Request) (serverstore.User, bool) {
	return p.sessionUser(r)
}

// CSRFToken returns the browser's anti-forgery token, setting the cookie
// that carries it when the browser has none. A form carries it in a hidden
// field named "csrf", which CheckForm compares with the cookie.
func (p *Provider) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	return p.csrfToken(w, r)
}

// CheckForm reads r's posted form and checks its anti-forgery token: it
// returns ErrForm when the csrf field or the cookie is missing or they
// differ, and a *http.MaxBytesError when the body is over the limit the
// caller set with http.MaxBytesReader.
func (p *Provider) CheckForm(r *http.Request) error {
	return p.parseForm(r)
}
