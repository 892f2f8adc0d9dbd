package identity

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestMain(m *testing.M) {
	// The OpenID provider library logs refusals through the default
	// logger; the tests check them by their answers.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	storetest.Main(m)
}

// clock is a settable clock for the provider; it starts at the real time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a provider on a fresh store, served on loopback, with two
// users who have passwords: alice and bob.
type fixture struct {
	t            *testing.T
	p            *Provider
	st           *serverstore.Store
	url          string
	clock        *clock
	alice, bob   serverstore.User
	alicePW      string
	bobPW        string
	secureServer bool
}

func newFixture(t *testing.T) *fixture { return newFixtureOn(t, storetest.SQLite, false) }

// onBothStores runs test on a fixture on each store.
func onBothStores(t *testing.T, test func(*testing.T, *fixture)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { test(t, newFixtureOn(t, b.NewDB, false)) })
	}
}

func newFixtureOn(t *testing.T, newDB storetest.NewDB, tls bool) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, newDB(t))
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(apikey.New())); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, clock: &clock{t: time.Now()}, alicePW: "alice's passphrase", bobPW: "bob's passphrase"}
	for _, u := range []struct {
		email, pw string
		dst       *serverstore.User
	}{{"alice@example.com", f.alicePW, &f.alice}, {"bob@example.com", f.bobPW, &f.bob}} {
		var err error
		if *u.dst, err = st.CreateUser(ctx, u.email, "", serverstore.RoleUser, nil); err != nil {
			t.Fatal(err)
		}
		if err := st.SetPassword(ctx, u.email, HashPassword(u.pw), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	p, err := New(ctx, Config{Store: st, Log: slog.New(slog.DiscardHandler), Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	mux := http.NewServeMux()
	for _, r := range p.Routes() {
		mux.Handle(r.Pattern, r.Handler)
	}
	var hs *httptest.Server
	if tls {
		hs = httptest.NewTLSServer(mux)
	} else {
		hs = httptest.NewServer(mux)
	}
	t.Cleanup(hs.Close)
	f.url, f.secureServer = hs.URL, tls
	return f
}

// browser is an HTTP client with cookies, as a browser is; it follows
// redirects on the server and stops at any other address (q's loopback
// listener, here), leaving that response to the test.
type browser struct {
	f *fixture
	c *http.Client
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(f.url)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host != base.Host {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	if f.secureServer {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
		c.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true
	}
	return &browser{f: f, c: c}
}

// do sends a request and returns the response with its body read.
func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.f.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.f.url+path, nil)
	if err != nil {
		b.f.t.Fatal(err)
	}
	return b.do(req)
}

// csrf returns the browser's anti-forgery token, visiting a page to get
// one when it has none.
func (b *browser) csrf() string {
	b.f.t.Helper()
	u, _ := url.Parse(b.f.url)
	for _, c := range b.c.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, csrfCookie) {
			return c.Value
		}
	}
	_, body := b.get(signInPath)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		b.f.t.Fatalf("no csrf field on the sign-in page:\n%s", body)
	}
	return m[1]
}

// post submits form to path with the browser's anti-forgery token (unless
// the form sets its own).
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.f.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf())
	}
	req, err := http.NewRequest(http.MethodPost, b.f.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn signs the browser in and fails the test unless it worked.
func (b *browser) signIn(email, pw string) {
	b.f.t.Helper()
	resp, body := b.post(signInPath, url.Values{"email": {email}, "password": {pw}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "signed in") {
		b.f.t.Fatalf("sign-in as %s: %d\n%s", email, resp.StatusCode, body)
	}
}

// tokenResponse is a token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
}

// form posts form to an OAuth endpoint as q does and decodes the answer.
func (f *fixture) form(path string, form url.Values) (int, tokenResponse) {
	f.t.Helper()
	resp, err := http.PostForm(f.url+path, form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	json.NewDecoder(resp.Body).Decode(&tr)
	return resp.StatusCode, tr
}

// deviceStart begins a device grant as q does.
func (f *fixture) deviceStart() (deviceCode, userCode string) {
	f.t.Helper()
	resp, err := http.PostForm(f.url+"/device_authorization", url.Values{"client_id": {adminapi.CLIClientID},
		"scope": {"openid email profile offline_access"}})
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var da struct {
		DeviceCode string `json:"device_code"`
		UserCode   string `json:"user_code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&da); err != nil || resp.StatusCode != 200 || da.DeviceCode == "" {
		f.t.Fatalf("device authorization: %d %v", resp.StatusCode, err)
	}
	return da.DeviceCode, da.UserCode
}

func (f *fixture) devicePoll(deviceCode string) (int, tokenResponse) {
	return f.form("/oauth/token", url.Values{"client_id": {adminapi.CLIClientID},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {deviceCode}})
}

// deviceLogin runs the whole device flow for the browser's user and
// returns the tokens.
func (f *fixture) deviceLogin(b *browser) tokenResponse {
	f.t.Helper()
	dc, uc := f.deviceStart()
	if resp, body := b.post(devicePath, url.Values{"user_code": {uc}, "decision": {"allow"}}); resp.StatusCode != 200 {
		f.t.Fatalf("approving: %d\n%s", resp.StatusCode, body)
	}
	code, tr := f.devicePoll(dc)
	if code != 200 || tr.AccessToken == "" || tr.RefreshToken == "" {
		f.t.Fatalf("device token: %d %+v", code, tr)
	}
	return tr
}

func (f *fixture) refresh(rt string) (int, tokenResponse) {
	return f.form("/oauth/token", url.Values{"client_id": {adminapi.CLIClientID}, "grant_type": {"refresh_token"},
		"refresh_token": {rt}})
}

// authenticates reports whether the provider accepts the access token.
func (f *fixture) authenticates(token string) (serverstore.User, bool) {
	u, err := f.p.Authenticate(context.Background(), token)
	if err != nil && err != ErrInvalidToken {
		f.t.Fatalf("Authenticate: %v", err)
	}
	return u, err == nil
}
