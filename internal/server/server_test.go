package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

// fixture is a server on a fresh SQLite store with three users, one of each
// role, and their keys.
type fixture struct {
	t                    *testing.T
	srv                  *Server
	store                *serverstore.Store
	url                  string
	admin, auditor, user string // API keys
	userToken            string // an access token of user@example.com
	logs                 *syncBuffer
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

func TestMain(m *testing.M) { storetest.Main(m) }

// newFixture makes a fixture on SQLite.
func newFixture(t *testing.T) *fixture { return newFixtureOn(t, storetest.SQLite) }

// onBothStores runs test on a fixture on each store.
func onBothStores(t *testing.T, test func(*testing.T, *fixture)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { test(t, newFixtureOn(t, b.NewDB)) })
	}
}

func newFixtureOn(t *testing.T, newDB storetest.NewDB) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, newDB(t))
	f := &fixture{t: t, store: st, logs: &syncBuffer{}}
	f.admin = apikey.New()
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(f.admin)); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email string
		role  serverstore.Role
		key   *string
	}{{"auditor@example.com", serverstore.RoleAuditor, &f.auditor}, {"user@example.com", serverstore.RoleUser, &f.user}} {
		if _, err := st.CreateUser(ctx, u.email, "", u.role, nil); err != nil {
			t.Fatal(err)
		}
		*u.key = apikey.New()
		if _, err := st.CreateAPIKey(ctx, u.email, "k", apikey.Store(*u.key), nil); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	idp, err := identity.New(ctx, identity.Config{Store: st, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = New(st, log, WithIdentity(idp))
	hs := httptest.NewServer(f.srv.Handler())
	t.Cleanup(hs.Close)
	f.url = hs.URL
	f.userToken = f.accessToken("user@example.com")
	return f
}

// accessToken signs the user in with the device flow, their approval
// recorded straight in the store, and returns their access token.
func (f *fixture) accessToken(email string) string {
	f.t.Helper()
	post := func(path string, form url.Values) map[string]any {
		resp, err := http.PostForm(f.url+path, form)
		if err != nil {
			f.t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	da := post("/device_authorization", url.Values{"client_id": {adminapi.CLIClientID}, "scope": {"openid offline_access"}})
	u, err := f.store.UserByEmail(context.Background(), email)
	if err != nil {
		f.t.Fatal(err)
	}
	userCode, _ := da["user_code"].(string)
	if err := f.store.DecideDeviceGrant(context.Background(), userCode, u.ID, true, time.Now()); err != nil {
		f.t.Fatal(err)
	}
	tok := post("/oauth/token", url.Values{"client_id": {adminapi.CLIClientID},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da["device_code"].(string)}})
	at, _ := tok["access_token"].(string)
	if at == "" {
		f.t.Fatalf("no access token: %v", tok)
	}
	return at
}

// call makes a request with key (none when empty) and returns the status
// and body.
func (f *fixture) call(key, method, path, body string) (int, string) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		f.t.Errorf("%s %s: %d with Content-Type %q", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(b)
}

// mustCall is call failing the test unless the status is want.
func (f *fixture) mustCall(key, method, path, body string, want int) string {
	f.t.Helper()
	code, out := f.call(key, method, path, body)
	if code != want {
		f.t.Fatalf("%s %s = %d %s, want %d", method, path, code, out, want)
	}
	return out
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// TestEveryEndpointIsAuthorised walks every route: without a valid key it
// is 401, with a role the route does not allow it is 403, and a plain user
// can reach nothing but their own /v1/me. Path values name other users, so
// a route that leaked another user's data to the wrong role would show here.
func TestEveryEndpointIsAuthorised(t *testing.T) { onBothStores(t, testEveryEndpointIsAuthorised) }

func testEveryEndpointIsAuthorised(t *testing.T, f *fixture) {
	routes := f.srv.routes()
	if len(routes) < 15 {
		t.Fatalf("only %d routes", len(routes))
	}
	expired := apikey.New()
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{email}", "admin@example.com", "{user}", "admin@example.com", "{name}", "k").Replace(path)
		for _, tc := range []struct {
			who, key string
			allowed  bool
		}{
			{"no key", "", false},
			{"malformed key", "qdev_nope", false},
			{"unknown key", expired, false},
			{"malformed token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", false},
			{"user", f.user, rt.access == anyone},
			{"user's access token", f.userToken, rt.access == anyone},
			{"auditor", f.auditor, rt.access != admins},
		} {
			code, body := f.call(tc.key, method, path, "{}")
			authentic := tc.key == f.user || tc.key == f.auditor || tc.key == f.userToken
			switch {
			case !authentic && code != http.StatusUnauthorized:
				t.Errorf("%s as %s = %d %s, want 401", rt.pattern, tc.who, code, body)
			case authentic && !tc.allowed && code != http.StatusForbidden:
				t.Errorf("%s as %s = %d %s, want 403", rt.pattern, tc.who, code, body)
			case tc.allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden):
				t.Errorf("%s as %s = %d %s, want it allowed", rt.pattern, tc.who, code, body)
			case tc.allowed && strings.Contains(body, "admin@example.com") && rt.access == anyone:
				t.Errorf("%s as %s shows another user's data: %s", rt.pattern, tc.who, body)
			}
		}
	}
	me := decode[adminapi.Me](t, f.mustCall(f.user, "GET", "/v1/me", "", 200))
	if me.User.Email != "user@example.com" || me.Tier != "Free" || me.Status != serverstore.StatusNone {
		t.Fatalf("me = %+v", me)
	}
	if me2 := decode[adminapi.Me](t, f.mustCall(f.userToken, "GET", "/v1/me", "", 200)); me2.User.ID != me.User.ID {
		t.Fatalf("me with the access token = %+v", me2)
	}
	if code, _ := f.call("", "GET", "/healthz", ""); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
}

func TestAdminFlow(t *testing.T) { onBothStores(t, testAdminFlow) }

func testAdminFlow(t *testing.T, f *fixture) {
	a := f.admin
	f.mustCall(a, "POST", "/v1/groups", `{"name":"eng"}`, 201)
	f.mustCall(a, "POST", "/v1/users", `{"email":"Alice@Example.com","name":"Alice","groups":["eng"]}`, 201)
	f.mustCall(a, "POST", "/v1/users", `{"email":"bob@example.com"}`, 201)
	f.mustCall(a, "POST", "/v1/users", `{"email":"bob@example.com"}`, 409)
	f.mustCall(a, "POST", "/v1/groups/eng/members", `{"emails":["bob@example.com"]}`, 204)
	u := decode[adminapi.User](t, f.mustCall(f.auditor, "GET", "/v1/users/alice@example.com", "", 200))
	if u.Email != "alice@example.com" || u.Name != "Alice" || len(u.Groups) != 1 {
		t.Fatalf("alice = %+v", u)
	}

	// Cursor pagination visits every user once.
	var seen []string
	cursor := ""
	for range 10 {
		page := decode[adminapi.List[adminapi.User]](t, f.mustCall(a, "GET", "/v1/users?limit=2&cursor="+cursor, "", 200))
		for _, u := range page.Items {
			seen = append(seen, u.Email)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if strings.Join(seen, " ") != "admin@example.com alice@example.com auditor@example.com bob@example.com user@example.com" {
		t.Fatalf("paged users = %v", seen)
	}

	f.mustCall(a, "PUT", "/v1/tiers/Team", `{"requests_per_day":500,"models":["m1"]}`, 200)
	f.mustCall(a, "POST", "/v1/subscriptions", `{"user":"user@example.com","tier":"Pro"}`, 204)
	f.mustCall(a, "POST", "/v1/subscriptions", `{"group":"eng","tier":"Team"}`, 204)
	subs := decode[adminapi.List[adminapi.Subscription]](t, f.mustCall(a, "GET", "/v1/subscriptions", "", 200))
	if len(subs.Items) != 2 {
		t.Fatalf("subscriptions = %+v", subs)
	}
	statusOf := func(user string) string {
		subs := decode[adminapi.List[adminapi.Subscription]](t, f.mustCall(a, "GET", "/v1/subscriptions", "", 200))
		for _, s := range subs.Items {
			if s.User == user {
				return s.Status
			}
		}
		return ""
	}
	if got := statusOf("user@example.com"); got != "Pending" {
		t.Fatalf("status before use = %s", got)
	}
	f.mustCall(f.user, "POST", "/v1/me/use", "", 204)
	if got := statusOf("user@example.com"); got != "Active" {
		t.Fatalf("status after use = %s", got)
	}
	me := decode[adminapi.Me](t, f.mustCall(f.user, "GET", "/v1/me", "", 200))
	if me.Tier != "Pro" {
		t.Fatalf("user's tier = %s", me.Tier)
	}
	f.mustCall(a, "POST", "/v1/groups/eng/members", `{"emails":["user@example.com"]}`, 204)
	if me := decode[adminapi.Me](t, f.mustCall(f.user, "GET", "/v1/me", "", 200)); me.Tier != "Team" {
		t.Fatalf("tier with a Team group = %s", me.Tier)
	}
	out := decode[adminapi.Subscription](t, f.mustCall(a, "POST", "/v1/subscriptions/unassign", `{"user":"user@example.com"}`, 200))
	if out.CancelAt == nil || out.Status != "Active" {
		t.Fatalf("unassigned active subscription = %+v", out)
	}

	// Keys: created once, listed without the secret, revoked at once.
	created := decode[adminapi.CreatedKey](t, f.mustCall(a, "POST", "/v1/keys", `{"user":"bob@example.com","name":"ci","expires_in_days":90}`, 201))
	if _, err := apikey.Parse(created.Key); err != nil || created.ExpiresAt == nil {
		t.Fatalf("created key = %+v", created)
	}
	f.mustCall(created.Key, "GET", "/v1/me", "", 200)
	list := f.mustCall(a, "GET", "/v1/keys?user=bob@example.com", "", 200)
	if strings.Contains(list, created.Key) || strings.Contains(list, apikey.Hash(created.Key)) {
		t.Fatalf("key list shows the secret: %s", list)
	}
	f.mustCall(a, "DELETE", "/v1/keys/bob@example.com/ci", "", 204)
	f.mustCall(created.Key, "GET", "/v1/me", "", 401)

	f.mustCall(a, "POST", "/v1/users/admin@example.com/disable", "", 409)
	f.mustCall(a, "POST", "/v1/users/user@example.com/disable", "", 204)
	f.mustCall(f.user, "GET", "/v1/me", "", 401)
	f.mustCall(a, "DELETE", "/v1/users/user@example.com", "", 204)
	f.mustCall(a, "DELETE", "/v1/users/user@example.com", "", 404)

	for _, secret := range []string{created.Key, apikey.Hash(created.Key), f.admin, apikey.Hash(f.admin)} {
		if strings.Contains(f.logs.String(), secret) {
			t.Fatal("a key or key hash is in the log")
		}
	}
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", "/v1/users", `{"email":`, 400, "body"},
		{"POST", "/v1/users", `{"email": 5}`, 400, "email"},
		{"POST", "/v1/users", `{"emial":"a@b.c"}`, 400, "emial"},
		{"POST", "/v1/users", `{"email":"not an address"}`, 400, "email"},
		{"POST", "/v1/users", `{"email":"a@example.com","role":"root"}`, 400, "role"},
		{"POST", "/v1/users", `[]`, 400, "body"},
		{"POST", "/v1/users", `{"email":"a@example.com"} {}`, 400, "body"},
		{"POST", "/v1/users", ``, 400, "body"},
		{"POST", "/v1/users", `{"email":"a@example.com","name":"` + strings.Repeat("x", maxBody) + `"}`, 413, ""},
		{"PUT", "/v1/tiers/Team", strings.Repeat("a", maxBody+1), 413, ""}, // not JSON, and too large
		{"PUT", "/v1/tiers/Team", `{"tokens_per_month":-1}`, 400, "tokens_per_month"},
		{"PUT", "/v1/tiers/Team", `{"models":"m1"}`, 400, "models"},
		{"POST", "/v1/subscriptions", `{"user":"user@example.com","group":"eng","tier":"Pro"}`, 400, "group"},
		{"POST", "/v1/subscriptions", `{"tier":"Pro"}`, 400, "user"},
		{"POST", "/v1/subscriptions", `{"user":"user@example.com","tier":"Gold"}`, 404, ""},
		{"POST", "/v1/keys", `{"user":"user@example.com","name":"a b"}`, 400, "name"},
		{"POST", "/v1/keys", `{"user":"user@example.com","name":"ab","expires_in_days":99999}`, 400, "expires_in_days"},
		{"GET", "/v1/users?cursor=zzz", "", 400, "cursor"},
		{"GET", "/v1/users?limit=0", "", 400, "limit"},
	} {
		code, body := f.call(f.admin, tc.method, tc.path, tc.body)
		p := decode[adminapi.Problem](t, body)
		if code != tc.status || p.Status != tc.status || p.Field != tc.field || p.Title == "" || p.Type == "" {
			t.Errorf("%s %s %.40s = %d %s, want %d naming %q", tc.method, tc.path, tc.body, code, body, tc.status, tc.field)
		}
		if strings.Contains(p.Detail, "json:") || strings.Contains(p.Detail, "serverstore") {
			t.Errorf("detail shows Go internals: %s", p.Detail)
		}
	}
}

func TestReadyz(t *testing.T) {
	f := newFixture(t)
	f.mustCall("", "GET", "/readyz", "", 200)
	f.store.Close()
	if code, _ := f.call("", "GET", "/readyz", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed store = %d", code)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a@example.com", "sub_0123", "ü"} {
		got, err := decodeCursor(encodeCursor(s))
		if err != nil || got != s {
			t.Fatalf("decodeCursor(encodeCursor(%q)) = %q, %v", s, got, err)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor("a@example.com"))
	f.Add("c1.")
	f.Add("c1.!!")
	f.Fuzz(func(t *testing.T, c string) {
		after, err := decodeCursor(c)
		if err != nil {
			if _, ok := err.(*fieldError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if c != "" && encodeCursor(after) != c {
			t.Fatalf("%q decodes to %q, which encodes differently", c, after)
		}
	})
}

// FuzzDecodeBody feeds arbitrary bodies to the decoder for every request
// type: it must return nil or a 400 naming a field, never panic.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.c","groups":["x"]}`, `{"requests_per_day":1}`, `{"emails":[1]}`, `{`, `null`, `{"a":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&adminapi.CreateUser{}, &adminapi.CreateGroup{}, &adminapi.Members{},
			&adminapi.SetTier{}, &adminapi.Assign{}, &adminapi.CreateKey{}} {
			err := decodeJSON(strings.NewReader(body), v)
			if err == nil {
				continue
			}
			fe, ok := err.(*fieldError)
			if !ok || fe.Field == "" || strings.Contains(fe.Msg, "json:") {
				t.Fatalf("decode %q: %v (%T)", body, err, err)
			}
		}
	})
}

func TestUnknownEndpointIsAProblem(t *testing.T) {
	f := newFixture(t)
	code, body := f.call("", "GET", "/v2/nothing", "")
	if p := decode[adminapi.Problem](t, body); code != 404 || p.Status != 404 {
		t.Fatalf("= %d %s", code, body)
	}
	code, body = f.call(f.admin, "POST", "/v1/users", `{"email":"admin@example.com"}`)
	if p := decode[adminapi.Problem](t, body); code != 409 || p.Detail != "user admin@example.com: already exists" {
		t.Fatalf("duplicate user = %d %s", code, body)
	}
}

// TestAccessTokens: the API takes the identity provider's access tokens
// beside API keys, and stops taking a user's tokens when the user is
// disabled, on the next request.
func TestAccessTokens(t *testing.T) {
	f := newFixture(t)
	tok := f.accessToken("auditor@example.com")
	if me := decode[adminapi.Me](t, f.mustCall(tok, "GET", "/v1/me", "", 200)); me.User.Email != "auditor@example.com" {
		t.Fatalf("me = %+v", me)
	}
	f.mustCall(tok, "GET", "/v1/users", "", 200)
	f.mustCall(tok, "POST", "/v1/users", `{"email":"x@example.com"}`, 403)
	f.mustCall(f.admin, "POST", "/v1/users/auditor@example.com/disable", "", 204)
	code, body := f.call(tok, "GET", "/v1/me", "")
	if code != 401 || !strings.Contains(body, "run q login") {
		t.Fatalf("a disabled user's token: %d %s", code, body)
	}
	if code, _ := f.call("", "GET", "/.well-known/openid-configuration", ""); code != 200 {
		t.Fatalf("discovery = %d", code)
	}
}

// TestPasswords: administrators set passwords, on creation or later; bad
// ones are refused naming the field; no password reaches the logs or an
// answer.
func TestPasswords(t *testing.T) {
	f := newFixture(t)
	const pw = "a fine long passphrase"
	out := f.mustCall(f.admin, "POST", "/v1/users", `{"email":"p@example.com","password":"`+pw+`"}`, 201)
	f.mustCall(f.admin, "PUT", "/v1/users/user@example.com/password", `{"password":"`+pw+`"}`, 204)
	for _, body := range []string{`{"password":"short"}`, `{}`, `{"password":1}`} {
		code, resp := f.call(f.admin, "PUT", "/v1/users/user@example.com/password", body)
		if code != 400 || !strings.Contains(resp, `"field":"password"`) {
			t.Errorf("%s: %d %s", body, code, resp)
		}
	}
	f.mustCall(f.admin, "PUT", "/v1/users/nobody@example.com/password", `{"password":"`+pw+`"}`, 404)
	code, resp := f.call(f.admin, "POST", "/v1/users", `{"email":"q@example.com","password":"short"}`)
	if code != 400 || !strings.Contains(resp, `"field":"password"`) {
		t.Errorf("create with a short password: %d %s", code, resp)
	}
	if _, err := f.store.UserByEmail(context.Background(), "q@example.com"); err == nil {
		t.Error("a refused create left the user behind")
	}
	for _, u := range []string{"p@example.com", "user@example.com"} {
		_, hash, err := f.store.PasswordHash(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := identity.VerifyPassword(hash, pw); !ok || err != nil {
			t.Errorf("%s: the stored hash does not verify: %v", u, err)
		}
	}
	if strings.Contains(f.logs.String(), pw) || strings.Contains(out, pw) {
		t.Fatal("a password reached the logs or an answer")
	}
}
