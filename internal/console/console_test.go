package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
)

// validForms are, for every form of the console, a form and path values
// that an administrator's browser would have accepted: the tests send
// them as other roles and without the token, and check that nothing
// changed. A route added without an entry here fails the tests.
var validForms = map[string]url.Values{
	"POST /console/users":                        {"email": {"new@example.com"}},
	"POST /console/users/{email}/password":       {"password": {"a long enough passphrase"}},
	"POST /console/users/{email}/disable":        {},
	"POST /console/users/{email}/delete":         {},
	"POST /console/groups":                       {"name": {"ops"}},
	"POST /console/groups/{name}/members":        {"emails": {"auditor@example.com"}},
	"POST /console/groups/{name}/remove-members": {"emails": {"user@example.com"}},
	"POST /console/groups/{name}/delete":         {},
	"POST /console/subscriptions":                {"user": {"user@example.com"}, "tier": {"Pro"}},
	"POST /console/subscriptions/unassign":       {"user": {"auditor@example.com"}},
	"POST /console/tiers":                        {"name": {"Team"}, "models": {"m1"}},
	"POST /console/keys":                         {"user": {"user@example.com"}, "name": {"ci"}},
	"POST /console/keys/revoke":                  {"user": {"user@example.com"}, "name": {"old"}},
	"POST /console/settings/scim-tokens":         {"name": {"okta"}},
	"POST /console/settings/scim-tokens/revoke":  {"name": {"old"}},
}

// withData gives the fixture what the valid forms change: a group eng with
// user@example.com in it, a subscription of the auditor, a key of the user
// and a SCIM token, both called old.
func withData(t *testing.T, f *fixture) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.store.CreateGroup(ctx, "eng")
	must(err)
	must(f.store.AddMembers(ctx, "eng", []string{"user@example.com"}))
	must(f.store.Assign(ctx, serverstore.Subject{User: "auditor@example.com"}, "Pro", f.con.now()))
	_, err = f.store.CreateAPIKey(ctx, "user@example.com", "old", apikey.Store(apikey.New()), nil)
	must(err)
	_, err = f.store.CreateSCIMToken(ctx, "old", apikey.Store(apikey.New()))
	must(err)
}

// pathOf fills a route's path values: targets that exist, or ones that do
// not when real is false.
func pathOf(pattern string, real bool) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	email, name := "user@example.com", "eng"
	if !real {
		email, name = "nobody@example.com", "nosuch"
	}
	return method, strings.NewReplacer("{email}", email, "{name}", name, "{$}", "").Replace(path)
}

// TestEveryRouteIsAuthorised walks every route of the console in every
// role: without a session (or with a made-up one) the browser is sent to
// sign in and comes back to the page; a plain user reaches only their own
// profile; an auditor reads and cannot change; an administrator may do
// everything. Refused forms are ones an administrator's would have
// succeeded with, and the store is checked to be unchanged after them.
func TestEveryRouteIsAuthorised(t *testing.T) {
	f := newFixture(t)
	withData(t, f)
	routes := f.con.routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes", len(routes))
	}
	forged := f.anonymous()
	forged.cookies = append(forged.cookies, &http.Cookie{Name: "qdev_session", Value: apikey.New()})
	before := f.snapshot()
	for _, rt := range routes {
		method, path := pathOf(rt.pattern, true)
		form, ok := validForms[rt.pattern]
		if method == http.MethodPost && !ok {
			t.Errorf("%s has no entry in validForms", rt.pattern)
			continue
		}
		if method == http.MethodPost && rt.access != admins {
			t.Errorf("%s changes something, and is open to more than administrators", rt.pattern)
		}
		for who, b := range map[string]*browser{"no session": f.anonymous(), "a made-up session": forged} {
			a := b.do(method, path, clone(form))
			next := path
			if method == http.MethodPost {
				next = Prefix
			}
			if a.status != http.StatusSeeOther || a.header.Get("Location") != "/signin?next="+url.QueryEscape(next) {
				t.Errorf("%s with %s = %d to %q, want 303 to sign in", rt.pattern, who, a.status, a.header.Get("Location"))
			}
			if a := b.do(method, path, clone(form), "HX-Request", "true"); a.status != http.StatusUnauthorized ||
				!strings.HasPrefix(a.header.Get("HX-Redirect"), "/signin?next=") {
				t.Errorf("%s from htmx with %s = %d, HX-Redirect %q", rt.pattern, who, a.status, a.header.Get("HX-Redirect"))
			}
		}
		for _, who := range []string{"user@example.com", "auditor@example.com"} {
			b := f.browser[who]
			role := serverstore.RoleUser
			if who == "auditor@example.com" {
				role = serverstore.RoleAuditor
			}
			a := b.do(method, path, clone(form))
			switch {
			case !rt.access.Allows(role) && a.status != http.StatusForbidden:
				t.Errorf("%s as %s = %d, want 403", rt.pattern, role, a.status)
			case rt.access.Allows(role) && (a.status == http.StatusForbidden || a.status >= 500 ||
				strings.HasPrefix(a.header.Get("Location"), "/signin")):
				t.Errorf("%s as %s = %d, want it allowed", rt.pattern, role, a.status)
			case rt.access.Allows(role) && rt.access == anyone:
				for _, other := range []string{"admin@example.com", "auditor@example.com", "user@example.com"} {
					if other != who && strings.Contains(a.body, other) {
						t.Errorf("%s as %s shows %s", rt.pattern, role, other)
					}
				}
			}
			if a.status == http.StatusForbidden && !strings.Contains(a.body, "Your role does not allow this") {
				t.Errorf("%s as %s: the 403 page says %q", rt.pattern, role, a.body)
			}
		}
	}
	if after := f.snapshot(); after != before {
		t.Fatalf("refused requests changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// An administrator is let through everywhere; targets that do not
	// exist keep the walk from changing anything.
	admin := f.browser["admin@example.com"]
	for _, rt := range routes {
		method, path := pathOf(rt.pattern, false)
		a := admin.do(method, path, url.Values{})
		if a.status == http.StatusForbidden || a.status >= 500 || strings.HasPrefix(a.header.Get("Location"), "/signin") {
			t.Errorf("%s as admin = %d %s", rt.pattern, a.status, a.body)
		}
	}
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestFormsNeedTheirToken: every form is refused without the browser's
// anti-forgery token, with another browser's, with the field but not the
// cookie, and when the browser says the post came from another site; in
// each case the store is unchanged. With the token, the same forms work.
func TestFormsNeedTheirToken(t *testing.T) {
	f := newFixture(t)
	withData(t, f)
	admin := f.browser["admin@example.com"]
	other := f.signIn("admin@example.com")
	noCookie := &browser{f: f, csrf: admin.csrf}
	for _, c := range admin.cookies {
		if !strings.Contains(c.Name, "csrf") {
			noCookie.cookies = append(noCookie.cookies, c)
		}
	}
	before := f.snapshot()
	for _, rt := range f.con.routes() {
		if rt.method() != http.MethodPost {
			continue
		}
		_, path := pathOf(rt.pattern, true)
		for _, tc := range []struct {
			name   string
			b      *browser
			form   url.Values
			header []string
		}{
			{"no token", admin, withCSRF(validForms[rt.pattern], ""), nil},
			{"a wrong token", admin, withCSRF(validForms[rt.pattern], apikey.New()[5:]), nil},
			{"another browser's token", admin, withCSRF(validForms[rt.pattern], other.csrf), nil},
			{"no token cookie", noCookie, clone(validForms[rt.pattern]), nil},
			{"another site", admin, clone(validForms[rt.pattern]), []string{"Sec-Fetch-Site", "cross-site"}},
			{"another origin", admin, clone(validForms[rt.pattern]), []string{"Origin", "https://evil.example"}},
		} {
			if tc.name == "another browser's token" && other.csrf == admin.csrf {
				t.Fatal("two browsers share a token")
			}
			a := tc.b.do("POST", path, tc.form, tc.header...)
			if a.status != http.StatusForbidden {
				t.Errorf("%s with %s = %d, want 403", rt.pattern, tc.name, a.status)
			}
		}
	}
	if after := f.snapshot(); after != before {
		t.Fatalf("forged forms changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The same forms, with the token, each change something (each on a
	// fixture of its own, since one may delete what another needs).
	for _, rt := range f.con.routes() {
		if rt.method() != http.MethodPost {
			continue
		}
		f := newFixture(t)
		withData(t, f)
		_, path := pathOf(rt.pattern, true)
		before := f.snapshot()
		a := f.browser["admin@example.com"].do("POST", path, clone(validForms[rt.pattern]))
		if a.status != http.StatusSeeOther && a.status != http.StatusCreated {
			t.Errorf("%s with the token = %d %s", rt.pattern, a.status, a.body)
		}
		if f.snapshot() == before {
			t.Errorf("%s with the token changed nothing", rt.pattern)
		}
	}
}

func withCSRF(v url.Values, token string) url.Values {
	out := clone(v)
	out.Set("csrf", token)
	return out
}
