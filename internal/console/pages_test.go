package console

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// readablePages are the pages an administrator can open, with data behind
// them (see withData).
var readablePages = []string{"/console/me", "/console/users", "/console/users/user@example.com", "/console/groups",
	"/console/groups/eng", "/console/subscriptions", "/console/tiers", "/console/keys", "/console/settings"}

// TestPagesAreAccessible checks every page, as an administrator (who sees
// the most forms) and an auditor, and the pages of refusals: the language
// is set; there is one h1; the first thing the keyboard reaches is the
// skip link to the main content; every field has a label; ids are
// unique; every table says what it holds; and no inline script, style or
// event handler is there for the policy to block.
func TestPagesAreAccessible(t *testing.T) {
	f := newFixture(t)
	withData(t, f)
	check := func(name, body string) {
		t.Helper()
		if err := accessible(body); err != "" {
			t.Errorf("%s: %s", name, err)
		}
	}
	for _, who := range []string{"admin@example.com", "auditor@example.com"} {
		for _, p := range readablePages {
			check(who+" "+p, f.browser[who].get(p))
		}
	}
	admin := f.browser["admin@example.com"]
	check("a refused form", admin.do("POST", "/console/users", url.Values{"email": {"x"}}).body)
	check("a created key", admin.do("POST", "/console/keys", url.Values{"user": {"user@example.com"}, "name": {"k2"}}).body)
	check("403", f.browser["user@example.com"].do("GET", "/console/users", nil).body)
	check("404", admin.do("GET", "/console/nothing", nil).body)
}

// accessible returns what is wrong with the page, or "".
func accessible(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return err.Error()
	}
	var problems []string
	h1s, firstFocus := 0, ""
	ids, labels := map[string]int{}, map[string]bool{}
	var fields []string
	hasMain := false
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		attr := func(k string) (string, bool) {
			for _, a := range n.Attr {
				if a.Key == k {
					return a.Val, true
				}
			}
			return "", false
		}
		id, _ := attr("id")
		if id != "" {
			ids[id]++
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" || strings.HasPrefix(a.Key, "hx-on") {
				problems = append(problems, "inline "+a.Key+" on <"+n.Data+">")
			}
		}
		typ, _ := attr("type")
		focusable := false
		switch n.Data {
		case "html":
			if lang, _ := attr("lang"); lang != "en" {
				problems = append(problems, "no lang")
			}
		case "h1":
			h1s++
		case "main":
			hasMain = id == "main"
		case "script":
			if src, _ := attr("src"); src == "" {
				problems = append(problems, "an inline script")
			}
		case "style":
			problems = append(problems, "an inline stylesheet")
		case "label":
			if f, ok := attr("for"); ok {
				labels[f] = true
			}
		case "table":
			_, named := attr("aria-labelledby")
			first := n.FirstChild
			for first != nil && first.Type != html.ElementNode {
				first = first.NextSibling
			}
			hasCaption := first != nil && first.Data == "caption"
			if !named && !hasCaption {
				problems = append(problems, "a table without a caption or name")
			}
		case "a":
			_, focusable = attr("href")
		case "button", "select", "textarea":
			focusable = true
		case "input":
			focusable = typ != "hidden"
		}
		if (n.Data == "input" && typ != "hidden" && typ != "submit") || n.Data == "select" || n.Data == "textarea" {
			fields = append(fields, id)
		}
		if focusable && firstFocus == "" {
			href, _ := attr("href")
			class, _ := attr("class")
			firstFocus = n.Data + " " + class + " " + href
		}
	}
	if h1s != 1 {
		problems = append(problems, "not one h1")
	}
	if firstFocus != "a skip #main" || !hasMain {
		problems = append(problems, "the first stop is "+firstFocus+", not the skip link to <main id=main>")
	}
	for _, f := range fields {
		if f == "" || !labels[f] {
			problems = append(problems, "a field without a label: "+f)
		}
	}
	for id, n := range ids {
		if n > 1 {
			problems = append(problems, "id "+id+" used twice")
		}
	}
	return strings.Join(problems, "; ")
}

// TestPageHeaders: every answer of the console — pages, refusals, the
// redirect to sign in — carries the strict policy, and is not to be
// framed, sniffed or cached.
func TestPageHeaders(t *testing.T) {
	f := newFixture(t)
	admin := f.browser["admin@example.com"]
	for name, a := range map[string]answer{
		"page":     admin.do("GET", "/console/users", nil),
		"refused":  admin.do("POST", "/console/users", url.Values{"email": {"x"}}),
		"403":      f.browser["user@example.com"].do("GET", "/console/keys", nil),
		"404":      admin.do("GET", "/console/nothing", nil),
		"sign in":  f.anonymous().do("GET", "/console/users", nil),
		"redirect": admin.do("POST", "/console/groups", url.Values{"name": {"eng"}}),
	} {
		h := a.header
		if h.Get("Content-Security-Policy") != policy || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", name, h)
		}
	}
	for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(policy, directive+";") {
			t.Errorf("the policy lacks %s", directive)
		}
	}
	if strings.Contains(policy, "unsafe") {
		t.Error("the policy allows something unsafe")
	}
}

// TestCookiesOverTLS: over HTTPS the anti-forgery cookie a console page
// sets is host-only, Secure, HttpOnly and SameSite=Strict.
func TestCookiesOverTLS(t *testing.T) {
	f := newFixture(t)
	u, _ := f.store.UserByEmail(t.Context(), "admin@example.com")
	rec := httptest.NewRecorder()
	if err := f.idp.SignIn(rec, httptest.NewRequest("GET", "https://q.example.com/signin", nil), u.ID); err != nil {
		t.Fatal(err)
	}
	session := rec.Result().Cookies()
	req := httptest.NewRequest("GET", "https://q.example.com/console/users", nil)
	for _, c := range session {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	f.con.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET over TLS = %d", rec.Code)
	}
	var csrf *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if strings.Contains(c.Name, "csrf") {
			csrf = c
		}
	}
	if csrf == nil || csrf.Name != "__Host-qdev_csrf" || !csrf.Secure || !csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Path != "/" || csrf.Domain != "" {
		t.Fatalf("the anti-forgery cookie over TLS: %+v", csrf)
	}
	if len(session) != 1 || session[0].Name != "__Host-qdev_session" || !session[0].Secure || !session[0].HttpOnly || session[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("the session cookie over TLS: %+v", session)
	}
}

// TestBodyLimit: a form over the limit is refused with 413 and changes
// nothing.
func TestBodyLimit(t *testing.T) {
	f := newFixture(t)
	admin := f.browser["admin@example.com"]
	before := f.snapshot()
	a := admin.do("POST", "/console/groups", url.Values{"name": {"big"}, "pad": {strings.Repeat("x", maxForm)}})
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "larger than the limit") {
		t.Fatalf("an oversized form = %d", a.status)
	}
	if f.snapshot() != before {
		t.Fatal("an oversized form changed the store")
	}
	if a := admin.do("POST", "/console/groups", url.Values{"name": {"small"}, "pad": {strings.Repeat("x", maxForm/2)}}); a.status != http.StatusSeeOther {
		t.Fatalf("a form under the limit = %d", a.status)
	}
}

// TestNoSecretsOnPages: the settings page describes the upstream provider
// without its client secret, and no page an administrator opens shows a
// key's hash.
func TestNoSecretsOnPages(t *testing.T) {
	f := newFixture(t)
	withData(t, f)
	admin := f.browser["admin@example.com"]
	page := admin.get("/console/settings")
	for _, want := range []string{"okta", "https://example.okta.com", "0oa-client-id", "Engineering → eng", "/login/upstream/okta", "https://q.example.com"} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
	for _, p := range readablePages {
		body := admin.get(p)
		if strings.Contains(body, upstreamSecret) || strings.Contains(body, "OKTA_SECRET") {
			t.Errorf("%s shows the client secret or where it is kept", p)
		}
		if strings.Contains(body, "hash") && strings.Contains(body, "lookup") {
			t.Errorf("%s shows stored key material", p)
		}
	}
	if strings.Contains(f.logs.String(), upstreamSecret) {
		t.Error("the client secret is in the log")
	}
}

// TestStatic: the vendored htmx and the stylesheet are served with their
// types; nothing else under static is.
func TestStatic(t *testing.T) {
	f := newFixture(t)
	anon := f.anonymous()
	a := anon.do("GET", "/console/static/htmx.min.js", nil)
	if a.status != 200 || a.header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		!strings.HasPrefix(a.body, "/*! htmx.org@2.0.11 ") || !strings.Contains(a.body, "Zero-Clause BSD") {
		t.Fatalf("htmx.min.js = %d %s %.80q", a.status, a.header.Get("Content-Type"), a.body)
	}
	if a := anon.do("GET", "/console/static/console.css", nil); a.status != 200 || a.header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("console.css = %d", a.status)
	}
	for _, p := range []string{"/console/static/vendor-htmx.sh", "/console/static/layout.html", "/console/static/..%2frender.go",
		"/console/static/%2e%2e/console.go"} {
		if a := anon.do("GET", p, nil); a.status == 200 {
			t.Errorf("%s is served", p)
		}
	}
}

// TestHTMXConfig: the configuration every page gives htmx turns off what
// the policy would block or what would keep pages around: eval, script
// tags in swapped content, inline indicator styles, the history cache.
func TestHTMXConfig(t *testing.T) {
	f := newFixture(t)
	doc, err := html.Parse(strings.NewReader(f.browser["admin@example.com"].get("/console/users")))
	if err != nil {
		t.Fatal(err)
	}
	var content string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "meta" {
			var name, c string
			for _, a := range n.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "content":
					c = a.Val
				}
			}
			if name == "htmx-config" {
				content = c
			}
		}
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(content), &cfg); err != nil {
		t.Fatalf("htmx-config %q: %v", content, err)
	}
	for k, want := range map[string]any{"allowEval": false, "allowScriptTags": false, "includeIndicatorStyles": false,
		"historyCacheSize": 0.0, "selfRequestsOnly": true} {
		if cfg[k] != want {
			t.Errorf("htmx-config %s = %v, want %v", k, cfg[k], want)
		}
	}
}
