package identity

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

//go:embed web
var webFS embed.FS

// pages are the sign-in pages, each parsed with the layout.
type pages struct {
	byName map[string]*template.Template
	css    []byte
}

func loadPages() (*pages, error) {
	ps := &pages{byName: map[string]*template.Template{}}
	for _, name := range []string{"signin", "consent", "device", "device_confirm", "message"} {
		t, err := template.ParseFS(webFS, "web/layout.html", "web/"+name+".html")
		if err != nil {
			return nil, err
		}
		ps.byName[name] = t
	}
	var err error
	ps.css, err = webFS.ReadFile("web/style.css")
	return ps, err
}

// pageData is what the templates show.
type pageData struct {
	Title   string
	Error   string
	CSRF    string
	User    string // the signed-in user's email
	Next    string
	Email   string
	Code    string
	ID      string
	Message string
}

// policy is the Content-Security-Policy of a page: its own stylesheet and
// forms that post to formAction, and nothing else (no script at all).
func policy(formAction string) string {
	return "default-src 'none'; style-src 'self'; img-src 'self'; form-action " + formAction +
		"; frame-ancestors 'none'; base-uri 'none'"
}

// pageHeaders sets the headers every page carries.
func (p *Provider) pageHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", policy("'self'"))
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		}
		h.ServeHTTP(w, r)
	})
}

// render answers with the page name; a template error is logged, and the
// page is rendered to a buffer first so that it never goes out half done.
func (p *Provider) render(w http.ResponseWriter, status int, name string, d pageData) {
	var b bytes.Buffer
	if err := p.pages.byName[name].ExecuteTemplate(&b, "layout", d); err != nil {
		p.log.Error("rendering a sign-in page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// message answers with a page that only says msg.
func (p *Provider) message(w http.ResponseWriter, r *http.Request, status int, title, msg string, user string) {
	p.render(w, status, "message", pageData{Title: title, Message: msg, User: user, CSRF: p.csrfToken(w, r)})
}

func (p *Provider) style(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(p.pages.css)
}

// cookieName gives a cookie the __Host- prefix over HTTPS, where browsers
// then refuse it unless it is Secure, host-only and for the whole site.
func (p *Provider) cookieName(r *http.Request, base string) string {
	if p.secure(r) {
		return "__Host-" + base
	}
	return base
}

const (
	sessionCookie = "qdev_session"
	csrfCookie    = "qdev_csrf"
)

// csrfToken returns the browser's anti-forgery token, setting the cookie
// that carries it when there is none. Forms echo it in a hidden field; a
// post whose field and cookie differ is refused (checkCSRF). The cookie is
// SameSite=Strict, and posts from other sites are refused before that by
// their Origin and Sec-Fetch-Site headers.
func (p *Provider) csrfToken(w http.ResponseWriter, r *http.Request) string {
	name := p.cookieName(r, csrfCookie)
	if c, err := r.Cookie(name); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: name, Value: tok, Path: "/", HttpOnly: true, Secure: p.secure(r),
		SameSite: http.SameSiteStrictMode})
	return tok
}

// ErrForm is a posted form without the right anti-forgery token: forged,
// or older than the browser's token.
var ErrForm = errors.New("the form has expired")

// parseForm reads a posted form and checks its anti-forgery token.
func (p *Provider) parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	c, err := r.Cookie(p.cookieName(r, csrfCookie))
	got := r.PostForm.Get("csrf")
	if err != nil || got == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(got)) != 1 {
		return ErrForm
	}
	return nil
}

// formFailed answers a post that parseForm refused.
func (p *Provider) formFailed(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		p.message(w, r, http.StatusRequestEntityTooLarge, "Request too large", "The form is larger than the limit.", "")
	default:
		p.message(w, r, http.StatusForbidden, "Please try again",
			"The form has expired or did not come from this site. Go back, reload the page and try again.", "")
	}
}

// sessionUser returns the user signed in to this browser, if any.
func (p *Provider) sessionUser(r *http.Request) (serverstore.User, bool) {
	c, err := r.Cookie(p.cookieName(r, sessionCookie))
	if err != nil || c.Value == "" {
		return serverstore.User{}, false
	}
	u, err := p.store.WebSessionUser(r.Context(), c.Value, p.now())
	if err != nil {
		if !errors.Is(err, serverstore.ErrNotFound) {
			p.log.Error("reading a browser session", "err", err)
		}
		return serverstore.User{}, false
	}
	return u, true
}

// SignIn signs the user with that id in to this browser: it starts a
// browser session (SessionLifetime long) and sets its cookie on w, ending
// the session the browser had before, if any. Sign-in methods call it once
// they have authenticated the user — the password form here, and an
// upstream identity provider's callback — and then redirect the browser to
// where it was going (the sign-in page's next parameter, through SafeNext).
// It returns an error when the session could not be stored; nothing is set
// then.
func (p *Provider) SignIn(w http.ResponseWriter, r *http.Request, userID string) error {
	name := p.cookieName(r, sessionCookie)
	if c, err := r.Cookie(name); err == nil && c.Value != "" {
		if err := p.store.DeleteWebSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	tok := randomToken()
	now := p.now()
	if err := p.store.CreateWebSession(r.Context(), tok, userID, now, now.Add(SessionLifetime)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: tok, Path: "/", HttpOnly: true, Secure: p.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionLifetime / time.Second)})
	return nil
}

// SafeNext returns next when it is a path on this site, and the sign-in
// page otherwise, so that a crafted link cannot send a browser elsewhere
// after signing in.
func SafeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.Contains(next, "\\") || u.Scheme != "" || u.Host != "" || u.User != nil {
		return signInPath
	}
	return u.RequestURI()
}

// toSignIn sends a browser that is not signed in to the sign-in page,
// coming back to the page it asked for.
func toSignIn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, signInPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}
