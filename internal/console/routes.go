package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

// The roles a route admits, as orgadmin grants them.
const (
	anyone  = orgadmin.Anyone
	readers = orgadmin.Readers
	admins  = orgadmin.Admins
)

// handler serves a route for the signed-in caller.
type handler func(w http.ResponseWriter, r *http.Request, caller serverstore.User)

// route is one page or form of the console.
type route struct {
	pattern string
	access  orgadmin.Access
	h       handler
}

func (rt route) method() string {
	m, _, _ := strings.Cut(rt.pattern, " ")
	return m
}

// routes lists every page and form. Tests walk this list, so a route added
// here is checked for sign-in, roles and the anti-forgery token.
func (c *Console) routes() []route {
	return []route{
		{"GET /console/{$}", anyone, c.home},
		{"GET /console/me", anyone, c.mePage},

		{"GET /console/users", readers, c.usersPage},
		{"POST /console/users", admins, c.createUser},
		{"GET /console/users/{email}", readers, c.userPage},
		{"POST /console/users/{email}/password", admins, c.setPassword},
		{"POST /console/users/{email}/disable", admins, c.disableUser},
		{"POST /console/users/{email}/delete", admins, c.deleteUser},

		{"GET /console/groups", readers, c.groupsPage},
		{"POST /console/groups", admins, c.createGroup},
		{"GET /console/groups/{name}", readers, c.groupPage},
		{"POST /console/groups/{name}/members", admins, c.addMembers},
		{"POST /console/groups/{name}/remove-members", admins, c.removeMembers},
		{"POST /console/groups/{name}/delete", admins, c.deleteGroup},

		{"GET /console/subscriptions", readers, c.subscriptionsPage},
		{"POST /console/subscriptions", admins, c.assign},
		{"POST /console/subscriptions/unassign", admins, c.unassign},

		{"GET /console/tiers", readers, c.tiersPage},
		{"POST /console/tiers", admins, c.setTier},

		{"GET /console/keys", readers, c.keysPage},
		{"POST /console/keys", admins, c.createKey},
		{"POST /console/keys/revoke", admins, c.revokeKey},

		{"GET /console/settings", readers, c.settingsPage},
		{"POST /console/settings/scim-tokens", admins, c.createSCIMToken},
		{"POST /console/settings/scim-tokens/revoke", admins, c.revokeSCIMToken},
	}
}

// guard serves rt to a signed-in user whose role it allows: a browser
// without a session is sent to sign in, and coming back here; a post must
// carry the browser's anti-forgery token and fit in maxForm. The session
// is looked up at every request, so a disabled user or an ended session
// stops at once.
func (c *Console) guard(rt route) http.Handler {
	post := rt.method() == http.MethodPost
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		if post {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		u, ok := c.idp.SessionUser(r)
		if !ok {
			c.toSignIn(w, r)
			return
		}
		if !rt.access.Allows(u.Role) {
			c.renderError(w, r, u, http.StatusForbidden, "Not allowed",
				"Your role does not allow this. Administrators can change the console's pages; auditors can read them.")
			return
		}
		if post {
			if err := c.idp.CheckForm(r); err != nil {
				c.formRefused(w, r, u, err)
				return
			}
		}
		rt.h(w, r, u)
	})
}

// toSignIn sends the browser to the sign-in page, which sends it back to
// the page it asked for (a form's own page, for a post). A request htmx
// made is told to load the sign-in page whole rather than swap it in.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = Prefix
	}
	to := identity.SignInURL(next)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// formRefused answers a post whose form CheckForm refused.
func (c *Console) formRefused(w http.ResponseWriter, r *http.Request, u serverstore.User, err error) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		c.renderError(w, r, u, http.StatusRequestEntityTooLarge, "Request too large", "The form is larger than the limit.")
	case errors.Is(err, identity.ErrForm):
		c.renderError(w, r, u, http.StatusForbidden, "Please try again",
			"The form has expired or did not come from this site. Go back, reload the page and try again.")
	default:
		c.renderError(w, r, u, http.StatusBadRequest, "Bad request", "The form could not be read.")
	}
}

// home sends administrators and auditors to the users, and anyone else
// to their own profile.
func (c *Console) home(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	to := Prefix + "me"
	if readers.Allows(u.Role) {
		to = Prefix + "users"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// notFound answers a path under the console that is no page.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	u, ok := c.idp.SessionUser(r)
	if !ok {
		c.toSignIn(w, r)
		return
	}
	c.renderError(w, r, u, http.StatusNotFound, "Not found", "There is no such page.")
}
