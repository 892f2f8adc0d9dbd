package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/identity"
)

var secretRE = regexp.MustCompile(`class="secret" id="new-(?:key|token)"[^>]*>(qdev_[A-Za-z0-9_-]+)<`)

// TestAdministering goes through the console as an administrator would:
// users, groups, tiers, subscriptions with their status, keys and SCIM
// tokens, and the refusals a person meets on the way, each answered with
// the form again, the reason next to it, and what was typed kept (but
// never a password).
func TestAdministering(t *testing.T) {
	f := newFixture(t)
	admin := f.browser["admin@example.com"]
	ctx := context.Background()
	const pw = "carol's long passphrase"

	a := admin.post("/console/groups", url.Values{"name": {"eng"}}, http.StatusSeeOther)
	if loc := a.header.Get("Location"); loc != "/console/groups/eng?done=group-created" {
		t.Fatalf("after creating a group: %s", loc)
	}
	a = admin.post("/console/users", url.Values{"email": {"not an address"}, "name": {"Carol"}, "password": {pw}}, http.StatusBadRequest)
	for _, want := range []string{`role="alert"`, "Email: &#34;not an address&#34; is not an email address.",
		`id="email" name="email" type="email" required autocomplete="off" value="not an address" aria-invalid="true"`, `value="Carol"`} {
		if !strings.Contains(a.body, want) {
			t.Errorf("refused user form lacks %s:\n%s", want, a.body)
		}
	}
	if strings.Contains(a.body, pw) {
		t.Error("the refused form shows the password again")
	}
	if a := admin.do("POST", "/console/users", url.Values{"email": {"carol@example.com"}, "password": {"short"}}); a.status != 400 ||
		!strings.Contains(a.body, "Password: ") {
		t.Errorf("a short password: %d", a.status)
	}
	a = admin.post("/console/users", url.Values{"email": {"Carol@Example.com"}, "name": {"Carol"}, "role": {"user"},
		"groups": {"eng"}, "password": {pw}}, http.StatusSeeOther)
	if loc := a.header.Get("Location"); loc != "/console/users/carol@example.com?done=user-created" {
		t.Fatalf("after creating a user: %s", loc)
	}
	page := admin.get("/console/users/carol@example.com?done=user-created")
	for _, want := range []string{"The user was created.", "Carol", "<dd>eng</dd>", `id="profile-tier">Free<`, `id="profile-status">None<`} {
		if !strings.Contains(page, want) {
			t.Errorf("carol's page lacks %q", want)
		}
	}
	if _, hash, err := f.store.PasswordHash(ctx, "carol@example.com"); err != nil {
		t.Fatal(err)
	} else if ok, _ := identity.VerifyPassword(hash, pw); !ok {
		t.Fatal("the password given on the form does not sign carol in")
	}
	if a := admin.do("POST", "/console/users", url.Values{"email": {"carol@example.com"}}); a.status != http.StatusConflict ||
		!strings.Contains(a.body, "User carol@example.com: already exists.") {
		t.Errorf("a second carol: %d", a.status)
	}

	// Tiers: quotas as numbers, empty for no limit.
	admin.post("/console/tiers", url.Values{"name": {"Team"}, "requests_per_day": {"500"}, "models": {"m1, m2"}}, http.StatusSeeOther)
	page = admin.get("/console/tiers")
	if !strings.Contains(page, "<td>Team</td>") || !strings.Contains(page, "<td>500</td>") || !strings.Contains(page, "m1, m2") {
		t.Errorf("tiers page:\n%s", page)
	}
	for field, value := range map[string]string{"requests_per_day": "-1", "tokens_per_month": "many", "rank": "1.5"} {
		a := admin.do("POST", "/console/tiers", url.Values{"name": {"Team"}, field: {value}})
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `id="`+field+`" name="`+field+`" inputmode="numeric"`) ||
			!strings.Contains(a.body, `value="`+value+`" aria-invalid="true"`) {
			t.Errorf("tier with %s=%s: %d", field, value, a.status)
		}
	}

	// Subscriptions: Pending until first use, then Active.
	admin.post("/console/subscriptions", url.Values{"user": {"carol@example.com"}, "tier": {"Pro"}}, http.StatusSeeOther)
	admin.post("/console/subscriptions", url.Values{"group": {"eng"}, "tier": {"Team"}}, http.StatusSeeOther)
	page = admin.get("/console/subscriptions?done=assigned")
	if !regexp.MustCompile(`carol@example.com</a></td>\s*<td>Pro</td><td><span class="status status-Pending">Pending</span>`).MatchString(page) ||
		!strings.Contains(page, `<span class="status status-Subscribed">Subscribed</span>`) {
		t.Errorf("subscriptions page:\n%s", page)
	}
	for _, form := range []url.Values{{"user": {"carol@example.com"}, "group": {"eng"}, "tier": {"Pro"}},
		{"tier": {"Pro"}}, {"user": {"carol@example.com"}, "tier": {"Gold"}}} {
		if a := admin.do("POST", "/console/subscriptions", form); a.status/100 != 4 || !strings.Contains(a.body, `role="alert"`) {
			t.Errorf("assign %v: %d", form, a.status)
		}
	}
	carol := f.signIn("carol@example.com")
	if me := carol.get("/console/me"); !strings.Contains(me, `id="profile-tier">Team<`) || !strings.Contains(me, `id="profile-status">Pending<`) {
		t.Errorf("carol's own page:\n%s", me)
	}
	u, _ := f.store.UserByEmail(ctx, "carol@example.com")
	if err := f.store.RecordUse(ctx, u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if page := admin.get("/console/users/carol@example.com"); !strings.Contains(page, `<span class="status status-Active">Active</span>`) {
		t.Errorf("after use, carol's page:\n%s", page)
	}
	admin.post("/console/subscriptions/unassign", url.Values{"user": {"carol@example.com"}}, http.StatusSeeOther)
	page = admin.get("/console/subscriptions")
	if !strings.Contains(page, "Active") || strings.Count(page, `action="/console/subscriptions/unassign"`) != 1 {
		t.Errorf("an unassigned subscription in use stays Active to the end of the month, and cannot be unassigned again:\n%s", page)
	}

	// Keys and SCIM tokens: shown once, then never again.
	a = admin.post("/console/keys", url.Values{"user": {"carol@example.com"}, "name": {"laptop"}, "expires_in_days": {"30"}}, http.StatusCreated)
	m := secretRE.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("the new key is not on the page:\n%s", a.body)
	}
	key := m[1]
	if got, err := f.store.Authenticate(ctx, key, time.Now()); err != nil || got.Email != "carol@example.com" {
		t.Fatalf("the key shown does not authenticate carol: %v", err)
	}
	if a := admin.do("POST", "/console/keys", url.Values{"user": {"carol@example.com"}, "name": {"x"}, "expires_in_days": {"99999999999999999999"}}); a.status != 400 {
		t.Errorf("a key expiring in too many days: %d", a.status)
	}
	for _, p := range []string{"/console/keys", "/console/keys?user=carol@example.com", "/console/users/carol@example.com"} {
		if page := admin.get(p); strings.Contains(page, key) || !strings.Contains(page, "laptop") {
			t.Errorf("%s shows the key, or not its name", p)
		}
	}
	a = admin.post("/console/keys/revoke", url.Values{"user": {"carol@example.com"}, "name": {"laptop"}, "back": {"user"}}, http.StatusSeeOther)
	if a.header.Get("Location") != "/console/users/carol@example.com?done=key-revoked" {
		t.Errorf("after revoking from the user's page: %s", a.header.Get("Location"))
	}
	if _, err := f.store.Authenticate(ctx, key, time.Now()); err == nil {
		t.Fatal("the revoked key still authenticates")
	}
	a = admin.post("/console/settings/scim-tokens", url.Values{"name": {"okta"}}, http.StatusCreated)
	m = secretRE.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("the new SCIM token is not on the page:\n%s", a.body)
	}
	token := m[1]
	if page := admin.get("/console/settings"); strings.Contains(page, token) || !strings.Contains(page, "<td>okta</td>") {
		t.Error("the settings page shows the SCIM token, or not its name")
	}
	admin.post("/console/settings/scim-tokens/revoke", url.Values{"name": {"okta"}}, http.StatusSeeOther)
	if _, err := f.store.AuthenticateSCIM(ctx, token); err == nil {
		t.Fatal("the revoked SCIM token still authenticates")
	}

	// Members.
	admin.post("/console/groups/eng/members", url.Values{"emails": {"user@example.com\nauditor@example.com"}}, http.StatusSeeOther)
	if page := admin.get("/console/groups/eng"); strings.Count(page, `name="emails" value=`) != 3 {
		t.Errorf("eng's members:\n%s", page)
	}
	admin.post("/console/groups/eng/remove-members", url.Values{"emails": {"auditor@example.com"}}, http.StatusSeeOther)
	if a := admin.do("POST", "/console/groups/eng/remove-members", url.Values{"emails": {"auditor@example.com"}}); a.status != http.StatusNotFound {
		t.Errorf("removing a non-member: %d", a.status)
	}
	if a := admin.do("POST", "/console/groups/eng/members", url.Values{"emails": {"user@example.com nobody@example.com"}}); a.status != http.StatusNotFound ||
		!strings.Contains(a.body, "nobody@example.com") {
		t.Errorf("adding someone unknown: %d", a.status)
	}
	if a := admin.do("GET", "/console/groups/nosuch", nil); a.status != http.StatusNotFound {
		t.Errorf("an unknown group's page: %d", a.status)
	}

	// An administrator cannot lock themselves out; disabling another user
	// ends their session at once.
	for _, action := range []string{"disable", "delete"} {
		a := admin.do("POST", "/console/users/admin@example.com/"+action, nil)
		if a.status != http.StatusConflict || !strings.Contains(a.body, "You cannot disable or delete your own account.") {
			t.Errorf("%s own account: %d", action, a.status)
		}
	}
	if page := admin.get("/console/users/admin@example.com"); strings.Contains(page, `id="disable"`) || strings.Contains(page, `id="delete"`) {
		t.Error("an administrator's own page offers to disable or delete them")
	}
	admin.post("/console/users/carol@example.com/disable", nil, http.StatusSeeOther)
	if a := carol.do("GET", "/console/me", nil); a.status != http.StatusSeeOther {
		t.Errorf("a disabled user's session: %d", a.status)
	}
	admin.post("/console/groups/eng/delete", nil, http.StatusSeeOther)
	a = admin.post("/console/users/carol@example.com/delete", nil, http.StatusSeeOther)
	if a.header.Get("Location") != "/console/users?done=user-deleted" {
		t.Errorf("after deleting: %s", a.header.Get("Location"))
	}
	if page := admin.get("/console/users?done=user-deleted"); strings.Contains(page, "carol@example.com") || !strings.Contains(page, "The user was deleted.") {
		t.Error("the users page after deleting carol")
	}
	if a := admin.do("GET", "/console/users/carol@example.com", nil); a.status != http.StatusNotFound {
		t.Errorf("a deleted user's page: %d", a.status)
	}

	for _, secret := range []string{key, token, pw} {
		if strings.Contains(f.logs.String(), secret) {
			t.Fatal("a key, token or password is in the log")
		}
	}
}

// TestListingsPage: a listing shows a page of rows and a link to the next,
// which shows the rest.
func TestListingsPage(t *testing.T) {
	f := newFixture(t)
	for i := range pageSize + 5 {
		if _, err := f.store.CreateUser(context.Background(), fmt.Sprintf("u%03d@example.com", i), "", "user", nil); err != nil {
			t.Fatal(err)
		}
	}
	admin := f.browser["admin@example.com"]
	first := admin.get("/console/users")
	m := regexp.MustCompile(`href="\?after=([^"]+)" rel="next"`).FindStringSubmatch(first)
	if m == nil || strings.Count(first, `<tr><td><a href="/console/users/`) != pageSize {
		t.Fatalf("first page:\n%s", first)
	}
	after, _ := url.QueryUnescape(m[1])
	second := admin.get("/console/users?after=" + url.QueryEscape(after))
	if n := strings.Count(second, `<tr><td><a href="/console/users/`); n != 3+5 || strings.Contains(second, `rel="next"`) {
		t.Fatalf("second page has %d rows:\n%s", n, second)
	}
}
