package console

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/federation"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

// upstreamSecret is the client secret of the fixture's upstream identity
// provider: no page may show it.
const upstreamSecret = "upstream-client-secret-3f9a"

// fixture is q server's handler with the console mounted, on a fresh
// SQLite store with one user of each role, each with a browser session.
type fixture struct {
	t       *testing.T
	con     *Console
	store   *serverstore.Store
	idp     *identity.Provider
	url     string
	logs    *syncBuffer
	browser map[string]*browser // by email
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// browser is a signed-in browser: its cookies and its anti-forgery token.
type browser struct {
	f       *fixture
	cookies []*http.Cookie
	csrf    string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite(t))
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(apikey.New())); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email string
		role  serverstore.Role
	}{{"auditor@example.com", serverstore.RoleAuditor}, {"user@example.com", serverstore.RoleUser}} {
		if _, err := st.CreateUser(ctx, u.email, "", u.role, nil); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, store: st, logs: &syncBuffer{}, browser: map[string]*browser{}}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	if f.idp, err = identity.New(ctx, identity.Config{Store: st, Log: log}); err != nil {
		t.Fatal(err)
	}
	providers, err := federation.Load([]federation.ProviderConfig{{Name: "okta", Issuer: "https://example.okta.com",
		ClientID: "0oa-client-id", ClientSecretEnv: "OKTA_SECRET", Groups: map[string]string{"Engineering": "eng"}}},
		func(string) string { return upstreamSecret }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.con, err = New(Config{Store: st, Log: log, Identity: f.idp, Providers: providers,
		PublicURL: "https://q.example.com"}); err != nil {
		t.Fatal(err)
	}
	srv := server.New(st, log, server.WithIdentity(f.idp))
	srv.Mount(Prefix, f.con)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	for _, email := range []string{"admin@example.com", "auditor@example.com", "user@example.com"} {
		f.browser[email] = f.signIn(email)
	}
	return f
}

// signIn starts a browser session of the user, as a sign-in page would,
// and gives the browser its anti-forgery token.
func (f *fixture) signIn(email string) *browser {
	f.t.Helper()
	u, err := f.store.UserByEmail(context.Background(), email)
	if err != nil {
		f.t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/signin", nil)
	if err := f.idp.SignIn(rec, req, u.ID); err != nil {
		f.t.Fatal(err)
	}
	b := &browser{f: f}
	b.csrf = f.idp.CSRFToken(rec, req)
	b.cookies = rec.Result().Cookies()
	return b
}

// anonymous is a browser with no session, but with a token of its own.
func (f *fixture) anonymous() *browser {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/signin", nil)
	b := &browser{f: f}
	b.csrf = f.idp.CSRFToken(rec, req)
	b.cookies = rec.Result().Cookies()
	return b
}

// answer is a response, read.
type answer struct {
	status int
	header http.Header
	body   string
}

// do sends a request as the browser, following no redirect. For a post,
// form is the body (with the browser's token unless form sets csrf).
func (b *browser) do(method, path string, form url.Values, header ...string) answer {
	b.f.t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		if form == nil {
			form = url.Values{}
		}
		if _, ok := form["csrf"]; !ok {
			form.Set("csrf", b.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	return b.send(method, path, body, header...)
}

func (b *browser) send(method, path string, body io.Reader, header ...string) answer {
	b.f.t.Helper()
	req, err := http.NewRequest(method, b.f.url+path, body)
	if err != nil {
		b.f.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(out)}
}

// get fetches a page, failing the test unless it is 200.
func (b *browser) get(path string) string {
	b.f.t.Helper()
	a := b.do("GET", path, nil)
	if a.status != http.StatusOK {
		b.f.t.Fatalf("GET %s = %d %s", path, a.status, a.body)
	}
	return a.body
}

// post sends a form, failing the test unless the answer has status want.
func (b *browser) post(path string, form url.Values, want int) answer {
	b.f.t.Helper()
	a := b.do("POST", path, form)
	if a.status != want {
		b.f.t.Fatalf("POST %s %v = %d %s, want %d", path, form, a.status, a.body, want)
	}
	return a
}

// snapshot describes what the store holds, to check that refused
// requests changed nothing.
func (f *fixture) snapshot() string {
	f.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	users, err := f.store.ListUsers(ctx, serverstore.Page{Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, u := range users {
		full, _ := f.store.UserByEmail(ctx, u.Email)
		b.WriteString(u.Email + " " + string(u.Role) + " " + strings.Join(full.Groups, ","))
		if u.Disabled {
			b.WriteString(" disabled")
		}
		if _, hash, err := f.store.PasswordHash(ctx, u.Email); err == nil {
			b.WriteString(" password " + hash)
		}
		b.WriteString("\n")
	}
	groups, _ := f.store.ListGroups(ctx, serverstore.Page{Limit: 500})
	for _, g := range groups {
		b.WriteString("group " + g.Name + "\n")
	}
	subs, _ := f.store.ListSubscriptions(ctx, serverstore.Page{Limit: 500}, f.con.now())
	for _, s := range subs {
		b.WriteString("sub " + s.User + s.Group + " " + s.Tier + " " + s.Status + "\n")
	}
	tiers, _ := f.store.ListTiers(ctx)
	for _, t := range tiers {
		b.WriteString("tier " + t.Name + " " + strings.Join(t.Models, ",") + "\n")
	}
	keys, _ := f.store.ListAPIKeys(ctx, "", serverstore.Page{Limit: 500})
	for _, k := range keys {
		b.WriteString("key " + k.User + " " + k.Name + "\n")
	}
	tokens, _ := f.store.ListSCIMTokens(ctx)
	for _, t := range tokens {
		b.WriteString("scim " + t.Name + "\n")
	}
	return b.String()
}
