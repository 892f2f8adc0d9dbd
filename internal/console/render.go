package console

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

//go:embed web/templates/*.html web/static/htmx.min.js web/static/console.css web/static/favicon.svg
var webFS embed.FS

// pageNames are the templates, each parsed with the layout.
var pageNames = []string{"users", "user", "groups", "group", "subscriptions", "tiers", "keys", "settings", "me", "message"}

type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"limit": func(v *int64) string {
		if v == nil {
			return "unlimited"
		}
		return strconv.FormatInt(*v, 10)
	},
	"join":        strings.Join,
	"seg":         url.PathEscape,
	"signOutPath": func() string { return identity.SignOutPath },
}

func loadPages() (*pages, error) {
	ps := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(webFS, "web/templates/layout.html", "web/templates/parts.html", "web/templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		ps.byName[name] = t
	}
	return ps, nil
}

// nav is the console's sections, in the order the menu lists them.
var nav = []struct{ Path, Label string }{
	{"users", "Users"}, {"groups", "Groups"}, {"subscriptions", "Subscriptions"},
	{"tiers", "Tiers"}, {"keys", "API keys"}, {"settings", "Settings"},
}

// view is what the layout shows around a page's own data.
type view struct {
	Title   string
	Section string // the nav entry this page is under
	User    serverstore.User
	Reader  bool // may see every section
	Admin   bool // may change things: forms are shown
	CSRF    string
	Notice  string // what the last change did
	Error   string // why the last change was refused
	Field   string // the form field Error is about, if any
	Nav     []struct{ Path, Label string }
	// Form holds what a refused form had, to show it again; never a
	// password or the anti-forgery token.
	Form url.Values
	Data any
}

// newView starts the view of a page for u.
func (c *Console) newView(w http.ResponseWriter, r *http.Request, u serverstore.User, title, section string) *view {
	v := &view{Title: title, Section: section, User: u, Reader: readers.Allows(u.Role), Admin: admins.Allows(u.Role),
		CSRF: c.idp.CSRFToken(w, r), Notice: notices[r.URL.Query().Get("done")]}
	if v.Reader {
		v.Nav = nav
	}
	return v
}

// notices are the messages a page shows after a change redirected to it
// (?done=KEY). Only these fixed texts can appear, so a crafted link cannot
// make a page say anything else.
var notices = map[string]string{
	"user-created":    "The user was created.",
	"user-disabled":   "The user was disabled: their keys, tokens and sessions no longer work.",
	"user-deleted":    "The user was deleted.",
	"password-set":    "The password was set.",
	"group-created":   "The group was created.",
	"group-deleted":   "The group was deleted.",
	"members-added":   "The members were added.",
	"members-removed": "The members were removed.",
	"assigned":        "The subscription was assigned.",
	"unassigned":      "The subscription was unassigned.",
	"tier-set":        "The tier was saved.",
	"key-revoked":     "The API key was revoked.",
	"scim-revoked":    "The SCIM token was revoked.",
}

// render answers with the page name. The page is rendered to a buffer
// first, so that a template error never sends half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, v *view) {
	var b bytes.Buffer
	if err := c.pages.byName[name].ExecuteTemplate(&b, "layout", v); err != nil {
		c.log.Error("rendering a console page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// renderError answers with a page that only says msg.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, u serverstore.User, status int, title, msg string) {
	v := c.newView(w, r, u, title, "")
	v.Notice = ""
	v.Data = msg
	c.render(w, status, "message", v)
}

// fail answers a page whose data could not be read: a missing user or
// group is a 404, anything else a 500 that is logged and explained to
// nobody, since its text may show the store's internals.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, u serverstore.User, err error) {
	if errors.Is(err, serverstore.ErrNotFound) {
		c.renderError(w, r, u, http.StatusNotFound, "Not found", sentence(err.Error()))
		return
	}
	var fe *orgadmin.FieldError
	if errors.As(err, &fe) {
		c.renderError(w, r, u, http.StatusBadRequest, "Bad request", sentence(fe.Msg))
		return
	}
	c.log.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	c.renderError(w, r, u, http.StatusInternalServerError, "Something went wrong", "The page could not be loaded. Try again in a moment.")
}

// refused records why a change was refused in v, and returns the status to
// answer with: 400 for a bad field, 404 for what does not exist, 409 for a
// conflict, 500 (logged, and explained generically) for anything else.
func (c *Console) refused(r *http.Request, v *view, err error) int {
	var fe *orgadmin.FieldError
	switch {
	case errors.As(err, &fe):
		label := fieldLabels[fe.Field]
		if label == "" {
			label = fe.Field
		}
		v.Error, v.Field = sentence(label+": "+fe.Msg), fe.Field
		return http.StatusBadRequest
	case errors.Is(err, serverstore.ErrNotFound):
		v.Error = sentence(err.Error())
		return http.StatusNotFound
	case errors.Is(err, serverstore.ErrExists), errors.Is(err, orgadmin.ErrOwnAccount):
		v.Error = sentence(err.Error())
		return http.StatusConflict
	}
	c.log.Error("console change failed", "method", r.Method, "path", r.URL.Path, "err", err)
	v.Error = "The change could not be made. Try again in a moment."
	return http.StatusInternalServerError
}

// fieldLabels name the forms' fields as their labels do, for refusals.
var fieldLabels = map[string]string{
	"requests_per_day": "Requests a day", "requests_per_month": "Requests a month", "tokens_per_month": "Tokens a month",
	"expires_in_days": "Expires after (days)", "user": "User's email", "emails": "Emails",
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// policy is the Content-Security-Policy of every console page: its own
// script (htmx), stylesheet and requests, forms that post to itself, and
// nothing else. No inline script or style is allowed, so htmx is set up
// (in the layout's htmx-config) to need neither.
const policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageHeaders sets the headers every console answer carries.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", policy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// Pages show keys just created and the organisation's users: no cache
	// may keep them.
	h.Set("Cache-Control", "no-store")
}

// static serves the embedded script and stylesheet.
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	b, err := webFS.ReadFile("web/static/" + file)
	if err != nil || types[path.Ext(file)] == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", types[path.Ext(file)])
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
