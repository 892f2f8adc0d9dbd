package federation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/federation"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is an organisation served by two replicas of q server on one
// database, federated with a test provider. A sign-in starts on replica a
// and the provider sends the browser back to replica b.
type fixture struct {
	t      *testing.T
	store  *serverstore.Store
	a, b   string
	idp    *testProvider
	logs   *lockedBuffer
	secret string

	mu      sync.Mutex
	signIns []federation.SignIn
}

const clientID = "qdev-test"

func verified(b bool) *bool { return &b }

// defaultAccounts are the provider's users.
var defaultAccounts = map[string]account{
	"alice":   {Email: "Alice@Example.com", EmailVerified: verified(true), Name: "Alice", Groups: []string{"eng-staff", "everyone"}},
	"carol":   {Email: "carol@example.com", Groups: []string{"eng-staff"}},
	"mallory": {Email: "admin@example.com", EmailVerified: verified(false), Name: "Mallory"},
	"nomail":  {Name: "No Mail"},
	"dave":    {Email: "dave@example.com"},
}

// newFixture starts it all; edit changes the provider's configuration, and
// providerSecret, when not empty, is the secret the provider expects
// instead of the configured one.
func newFixture(t *testing.T, newDB storetest.NewDB, edit func(*federation.ProviderConfig), providerSecret string) *fixture {
	t.Helper()
	opts := newDB(t)
	f := &fixture{t: t, store: storetest.Open(t, opts), logs: &lockedBuffer{}, secret: "cs-" + apikey.New()[5:]}
	if _, err := f.store.Initialise(context.Background(), "admin@example.com", apikey.Store(apikey.New())); err != nil {
		t.Fatal(err)
	}
	ha, hb := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	f.a, f.b = "http://"+ha.Listener.Addr().String(), "http://"+hb.Listener.Addr().String()
	callback := f.b + "/login/upstream/test/callback"
	if providerSecret == "" {
		providerSecret = f.secret
	}
	f.idp = startProvider(t, clientID, providerSecret, callback, defaultAccounts)

	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(f.secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := federation.ProviderConfig{
		Name: "test", Issuer: f.idp.issuer, ClientID: clientID, ClientSecretFile: secretFile,
		Scopes: []string{"email", "profile", "groups"}, Groups: map[string]string{"eng-staff": "eng", "ops-staff": "ops"},
		CreateUsers: true, RedirectURL: callback,
	}
	if edit != nil {
		edit(&cfg)
	}
	providers, err := federation.Load([]federation.ProviderConfig{cfg}, os.Getenv, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for i, hs := range []*httptest.Server{ha, hb} {
		st := f.store
		if i == 1 {
			st = storetest.Open(t, opts)
		}
		srv := server.New(st, log)
		fed := federation.New(st, log, providers)
		fed.OnSignIn = f.record
		srv.Mount("/login/upstream/", fed)
		hs.Config.Handler = srv.Handler()
		hs.Start()
		t.Cleanup(hs.Close)
	}
	return f
}

// record stands in for the identity provider's session start.
func (f *fixture) record(w http.ResponseWriter, _ *http.Request, s federation.SignIn) error {
	f.mu.Lock()
	f.signIns = append(f.signIns, s)
	f.mu.Unlock()
	fmt.Fprintf(w, "session for %s", s.UserID)
	return nil
}

var formRE = regexp.MustCompile(`<form[^>]*action="([^"]+)"[^>]*>\s*<input type="hidden" name="prompt" value="(\w+)"`)

// browser is a cookie-keeping HTTP client that remembers where it was
// redirected.
type browser struct {
	*http.Client
	visited []string
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		b.visited = append(b.visited, req.URL.String())
		if len(via) > 20 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// signIn signs in as login at the provider, starting at the replica start,
// filling in the provider's sign-in and consent pages as a person would;
// it returns the final page of the qdev server.
func (f *fixture) signIn(b *browser, start, login string) (int, string) {
	f.t.Helper()
	resp, err := b.Get(start + "/login/upstream/test?return_to=/console")
	if err != nil {
		f.t.Fatal(err)
	}
	for range 4 {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(resp.Request.URL.String(), f.idp.issuer) {
			return resp.StatusCode, string(body)
		}
		m := formRE.FindStringSubmatch(string(body))
		if m == nil {
			f.t.Fatalf("no form on the provider's page %s: %d %s", resp.Request.URL, resp.StatusCode, body)
		}
		action, _ := resp.Request.URL.Parse(m[1])
		form := url.Values{"prompt": {m[2]}}
		if m[2] == "login" {
			form.Set("login", login)
			form.Set("password", "anything")
		}
		if resp, err = b.PostForm(action.String(), form); err != nil {
			f.t.Fatal(err)
		}
	}
	f.t.Fatal("the provider kept asking")
	return 0, ""
}

func (f *fixture) user(email string) serverstore.User {
	f.t.Helper()
	u, err := f.store.UserByEmail(context.Background(), email)
	if err != nil {
		f.t.Fatalf("%s: %v", email, err)
	}
	return u
}

// TestSignInThroughProvider signs users in through oidc-provider: the
// user is created, the groups claim mapped, the sign-in finished on
// another replica than the one it started on, and the result is handed
// to OnSignIn.
func TestSignInThroughProvider(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { testSignInThroughProvider(t, newFixture(t, b.NewDB, nil, "")) })
	}
}

func testSignInThroughProvider(t *testing.T, f *fixture) {
	ctx := context.Background()
	// carol exists, in ops (mapped) and other (not mapped).
	for _, g := range []string{"ops", "other"} {
		if _, err := f.store.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.CreateUser(ctx, "carol@example.com", "Carol", serverstore.RoleUser, []string{"ops", "other"}); err != nil {
		t.Fatal(err)
	}

	br := newBrowser(t)
	code, body := f.signIn(br, f.a, "alice")
	alice := f.user("alice@example.com")
	if code != 200 || body != "session for "+alice.ID {
		t.Fatalf("sign-in = %d %s", code, body)
	}
	if alice.Role != serverstore.RoleUser || alice.Name != "Alice" || !slices.Equal(alice.Groups, []string{"eng"}) {
		t.Fatalf("alice = %+v", alice)
	}
	want := federation.SignIn{UserID: alice.ID, Email: "alice@example.com", Provider: "test", ReturnTo: "/console", Created: true}
	if len(f.signIns) != 1 || f.signIns[0] != want {
		t.Fatalf("OnSignIn got %+v, want %+v", f.signIns, want)
	}
	if !slices.ContainsFunc(br.visited, func(u string) bool { return strings.HasPrefix(u, f.b+"/login/upstream/test/callback?") }) {
		t.Fatalf("the sign-in did not finish on the other replica: %v", br.visited)
	}

	// The same callback again is refused: a login finishes once.
	var callback string
	for _, u := range br.visited {
		if strings.HasPrefix(u, f.b+"/login/upstream/test/callback?") {
			callback = u
		}
	}
	resp, err := br.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("a replayed callback = %d", resp.StatusCode)
	}

	// The provider is authoritative for mapped groups only.
	if code, _ := f.signIn(newBrowser(t), f.a, "carol"); code != 200 {
		t.Fatalf("carol's sign-in = %d", code)
	}
	if carol := f.user("carol@example.com"); !slices.Equal(carol.Groups, []string{"eng", "other"}) {
		t.Fatalf("carol's groups = %v", carol.Groups)
	}

	// alice moves from eng-staff to ops-staff at the provider.
	accounts := map[string]account{}
	for k, v := range defaultAccounts {
		accounts[k] = v
	}
	a := accounts["alice"]
	a.Groups, a.Email = []string{"ops-staff"}, "alice.new@example.com"
	accounts["alice"] = a
	f.idp.setAccounts(t, accounts)
	if code, _ := f.signIn(newBrowser(t), f.b, "alice"); code != 200 {
		t.Fatalf("second sign-in = %d", code)
	}
	// Linked by subject: the changed email signs in the same user.
	if alice := f.user("alice@example.com"); !slices.Equal(alice.Groups, []string{"ops"}) {
		t.Fatalf("alice's groups after the change = %v", alice.Groups)
	}
	if _, err := f.store.UserByEmail(ctx, "alice.new@example.com"); err == nil {
		t.Fatal("a changed email created a second user")
	}
}

// TestSignInRefusals: who may not sign in is told in one line, and
// nothing is created.
func TestSignInRefusals(t *testing.T) {
	f := newFixture(t, storetest.SQLite, func(c *federation.ProviderConfig) { c.CreateUsers = false }, "")
	ctx := context.Background()
	if _, err := f.store.CreateUser(ctx, "dave@example.com", "", serverstore.RoleUser, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.store.DisableUser(ctx, "dave@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		login string
		code  int
		msg   string
	}{
		{"carol", 403, "carol@example.com has no account in this organisation"},
		{"mallory", 403, "has not verified the email admin@example.com"},
		{"nomail", 403, "did not give an email address"},
		{"dave", 403, "The account dave@example.com is disabled."},
	} {
		code, body := f.signIn(newBrowser(t), f.a, tc.login)
		if code != tc.code || !strings.Contains(body, tc.msg) {
			t.Errorf("%s: %d %s, want %d with %q", tc.login, code, body, tc.code, tc.msg)
		}
	}
	if _, err := f.store.UserByEmail(ctx, "carol@example.com"); err == nil {
		t.Fatal("a refused sign-in created the user")
	}
	if len(f.signIns) != 0 {
		t.Fatalf("OnSignIn was called: %+v", f.signIns)
	}

	// A callback this browser did not start.
	resp, err := http.Get(f.b + "/login/upstream/test/callback?state=forged&code=x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "not started in this browser") ||
		resp.Header.Get("Content-Security-Policy") != "default-src 'none'" {
		t.Fatalf("forged callback = %d %s", resp.StatusCode, body)
	}
	// A callback naming another issuer (RFC 9207) is refused before the
	// code is used.
	br := newBrowser(t)
	br.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = br.Get(f.a + "/login/upstream/test")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), f.idp.issuer) || loc.Query().Get("code_challenge_method") != "S256" ||
		loc.Query().Get("nonce") == "" {
		t.Fatalf("the sign-in redirect = %d %s", resp.StatusCode, loc)
	}
	q := url.Values{"state": {loc.Query().Get("state")}, "code": {"x"}, "iss": {"http://127.0.0.1:1"}}
	resp, err = br.Get(f.b + "/login/upstream/test/callback?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "another identity provider") {
		t.Fatalf("callback from another issuer = %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/login/upstream/nope", "/login/upstream/test?return_to=//evil.example"} {
		resp, err := http.Get(f.a + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Fatalf("%s = %d", path, resp.StatusCode)
		}
	}
}

// TestSecretNeverShown: a wrong client secret fails the sign-in, and
// neither the configured secret nor anything of the provider's answer
// beyond its error code reaches the log or the browser.
func TestSecretNeverShown(t *testing.T) {
	f := newFixture(t, storetest.SQLite, nil, "the-provider-expects-another-secret")
	code, body := f.signIn(newBrowser(t), f.a, "alice")
	if code != 502 || strings.Contains(body, f.secret) {
		t.Fatalf("sign-in with a wrong secret = %d %s", code, body)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "invalid_client") {
		t.Fatalf("the log does not say why: %s", logs)
	}
	if strings.Contains(logs, f.secret) || strings.Contains(logs, url.QueryEscape(f.secret)) {
		t.Fatalf("the client secret is in the log: %s", logs)
	}
}
