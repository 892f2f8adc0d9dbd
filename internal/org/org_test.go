package org_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/org"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	storetest.Main(m)
}

// orgServer is a q server with its identity provider, and alice, who has
// a password.
type orgServer struct {
	url   string
	st    *serverstore.Store
	idp   *identity.Provider
	alice serverstore.User
}

const alicePW = "alice's passphrase"

func newOrgServer(t *testing.T) *orgServer {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite(t))
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(apikey.New())); err != nil {
		t.Fatal(err)
	}
	alice, err := st.CreateUser(ctx, "alice@example.com", "Alice", serverstore.RoleUser, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, alice.Email, identity.HashPassword(alicePW), time.Now()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	idp, err := identity.New(ctx, identity.Config{Store: st, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, log, server.WithIdentity(idp)).Handler())
	t.Cleanup(hs.Close)
	return &orgServer{url: hs.URL, st: st, idp: idp, alice: alice}
}

// clock is the client's settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newClient returns a client with its own session directory and env.
func newClient(t *testing.T, env map[string]string) (*org.Client, *clock) {
	c := &clock{t: time.Now()}
	return &org.Client{Dir: filepath.Join(t.TempDir(), "org"), Getenv: func(k string) string { return env[k] }, Now: c.Now}, c
}

// lineWriter hands each line written to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   string
	lines chan string
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf += string(b)
	for {
		i := strings.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		select {
		case w.lines <- w.buf[:i]:
		default:
		}
		w.buf = w.buf[i+1:]
	}
}

var codeRE = regexp.MustCompile(`enter the code: ([A-Z]{4}-[A-Z]{4})`)

// deviceLogin logs c in with the device flow; the user's approval is
// recorded straight in the store (the pages are the identity package's
// concern).
func deviceLogin(t *testing.T, s *orgServer, c *org.Client) org.Session {
	t.Helper()
	out := &lineWriter{lines: make(chan string, 50)}
	type result struct {
		s   org.Session
		err error
	}
	done := make(chan result, 1)
	go func() {
		sess, err := c.Login(context.Background(), org.LoginOptions{StartURL: s.url + "/", DeviceFlow: true, Out: out, Timeout: time.Minute})
		done <- result{sess, err}
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l := <-out.lines:
			if m := codeRE.FindStringSubmatch(l); m != nil {
				if err := s.st.DecideDeviceGrant(context.Background(), m[1], s.alice.ID, true, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
		case r := <-done:
			if r.err != nil {
				t.Fatalf("Login: %v", r.err)
			}
			return r.s
		case <-deadline:
			t.Fatal("the device login did not finish")
		}
	}
}

func TestDeviceLoginRefreshAndLogout(t *testing.T) {
	s := newOrgServer(t)
	c, clk := newClient(t, nil)
	ctx := context.Background()
	if _, err := c.Credential(ctx, ""); !errors.Is(err, org.ErrNotLoggedIn) {
		t.Fatalf("before login: %v", err)
	}
	sess := deviceLogin(t, s, c)
	if sess.StartURL != s.url || sess.RefreshToken == "" || sess.License != "" {
		t.Fatalf("session %+v", sess)
	}
	fi, err := os.Stat(filepath.Join(c.Dir, "sessions.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v %v", fi, err)
	}
	cred, err := c.Credential(ctx, "")
	if err != nil || cred.Token != sess.AccessToken || cred.Kind != org.KindLogin || cred.StartURL != s.url {
		t.Fatalf("Credential = %+v, %v", cred, err)
	}

	// Near expiry the token is renewed silently, the refresh token with it.
	clk.Advance(identity.AccessTokenLifetime - time.Minute)
	cred2, err := c.Credential(ctx, s.url)
	if err != nil || cred2.Token == sess.AccessToken {
		t.Fatalf("after renewal: %+v, %v", cred2, err)
	}
	if u, err := s.idp.Authenticate(ctx, cred2.Token); err != nil || u.ID != s.alice.ID {
		t.Fatalf("the renewed token: %v %v", u, err)
	}
	all, _, _ := c.Profiles()
	if all[0].RefreshToken == sess.RefreshToken {
		t.Fatal("the refresh token did not rotate")
	}

	// Logout revokes at the server: the token stops working there.
	out, err := c.Logout(ctx)
	if err != nil || out.StartURL != s.url {
		t.Fatalf("Logout = %+v, %v", out, err)
	}
	if _, err := s.idp.Authenticate(ctx, cred2.Token); err == nil {
		t.Fatal("the access token works after logout")
	}
	if _, err := c.Credential(ctx, ""); !errors.Is(err, org.ErrNotLoggedIn) {
		t.Fatalf("after logout: %v", err)
	}
	if _, err := c.Logout(ctx); !errors.Is(err, org.ErrNotLoggedIn) {
		t.Fatalf("second logout: %v", err)
	}
}

// TestConcurrentRefresh: two commands renewing at once must not both spend
// the refresh token, which the server would take for theft.
func TestConcurrentRefresh(t *testing.T) {
	s := newOrgServer(t)
	c, clk := newClient(t, nil)
	browserLogin(t, s, c)
	clk.Advance(identity.AccessTokenLifetime)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := c.Credential(context.Background(), "")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent renewal: %v", err)
		}
	}
	cred, err := c.Credential(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.idp.Authenticate(context.Background(), cred.Token); err != nil {
		t.Fatalf("after concurrent renewals the session is broken: %v", err)
	}
}

// TestExpiredSession: when the server ends the session (here: the user is
// disabled), the next renewal says to log in again, once.
func TestExpiredSession(t *testing.T) {
	s := newOrgServer(t)
	c, clk := newClient(t, nil)
	browserLogin(t, s, c)
	if err := s.st.DisableUser(context.Background(), s.alice.Email); err != nil {
		t.Fatal(err)
	}
	clk.Advance(identity.AccessTokenLifetime)
	if _, err := c.Credential(context.Background(), ""); !errors.Is(err, org.ErrSessionExpired) || err.Error() != "your session has expired: run q login" {
		t.Fatalf("err = %v", err)
	}
	if sessions, _, _ := c.Profiles(); len(sessions) != 0 {
		t.Fatalf("the dead session was kept: %+v", sessions)
	}
}

// approver is a stand-in browser: opened at q's authorization URL, it
// signs in on the server's page and approves, as a person would, and the
// server sends it on to q's loopback address.
func approver(t *testing.T, s *orgServer) func(string) error {
	jar, _ := cookiejar.New(nil)
	br := &http.Client{Jar: jar}
	csrfRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	idRE := regexp.MustCompile(`name="id" value="([^"]+)"`)
	post := func(path string, form url.Values) []byte {
		resp, err := br.PostForm(s.url+path, form)
		if err != nil {
			t.Error(err)
			return nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return body
	}
	return func(authURL string) error {
		go func() {
			resp, err := br.Get(authURL)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			next := resp.Request.URL.Query().Get("next")
			csrf := csrfRE.FindSubmatch(body)
			if csrf == nil {
				t.Errorf("no form at %s", resp.Request.URL)
				return
			}
			if next != "" {
				body = post("/signin", url.Values{"csrf": {string(csrf[1])}, "next": {next},
					"email": {"alice@example.com"}, "password": {alicePW}})
			}
			id := idRE.FindSubmatch(body)
			if id == nil {
				t.Errorf("no consent form after signing in:\n%s", body)
				return
			}
			body = post("/signin/consent", url.Values{"csrf": {string(csrf[1])}, "id": {string(id[1])}, "decision": {"allow"}})
			if !strings.Contains(string(body), "You are signed in") {
				t.Errorf("q's loopback page said %q", body)
			}
		}()
		return nil
	}
}

// browserLogin logs c in to s the default way.
func browserLogin(t *testing.T, s *orgServer, c *org.Client) org.Session {
	t.Helper()
	var out strings.Builder
	sess, err := c.Login(context.Background(), org.LoginOptions{StartURL: s.url, OpenBrowser: approver(t, s), Out: &out,
		Timeout: time.Minute, License: "pro"})
	if err != nil {
		t.Fatalf("Login: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), s.url+"/authorize?") {
		t.Fatalf("the authorization URL was not shown:\n%s", out.String())
	}
	return sess
}

// TestBrowserLogin: the default login, with PKCE and a loopback redirect.
func TestBrowserLogin(t *testing.T) {
	s := newOrgServer(t)
	c, _ := newClient(t, nil)
	sess := browserLogin(t, s, c)
	if sess.License != "pro" {
		t.Fatalf("session %+v", sess)
	}
	if u, err := s.idp.Authenticate(context.Background(), sess.AccessToken); err != nil || u.ID != s.alice.ID {
		t.Fatalf("the token: %v %v", u, err)
	}
}

// TestBrowserLoginRefused: the user refuses; q says so and keeps nothing.
func TestBrowserLoginRefused(t *testing.T) {
	s := newOrgServer(t)
	c, _ := newClient(t, nil)
	open := func(authURL string) error {
		u, _ := url.Parse(authURL)
		redirect := u.Query().Get("redirect_uri")
		go http.Get(redirect + "?error=access_denied&state=" + url.QueryEscape(u.Query().Get("state")))
		return nil
	}
	_, err := c.Login(context.Background(), org.LoginOptions{StartURL: s.url, OpenBrowser: open, Out: io.Discard, Timeout: time.Minute})
	if err == nil || err.Error() != "the sign-in was refused" {
		t.Fatalf("err = %v", err)
	}
	if sessions, _, _ := c.Profiles(); len(sessions) != 0 {
		t.Fatal("a refused login left a session")
	}
}

func TestAPIKeyWins(t *testing.T) {
	c, _ := newClient(t, map[string]string{"QDEV_API_KEY": "qdev_k", "QDEV_START_URL": "http://127.0.0.1:9/"})
	cred, err := c.Credential(context.Background(), "")
	if err != nil || cred.Token != "qdev_k" || cred.StartURL != "http://127.0.0.1:9" || cred.Kind != org.KindAPIKey {
		t.Fatalf("Credential = %+v, %v", cred, err)
	}
	c, _ = newClient(t, map[string]string{"QDEV_API_KEY": "qdev_k"})
	if _, err := c.Credential(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "QDEV_START_URL") {
		t.Fatalf("a key without a server: %v", err)
	}
}

// TestProfiles: several organisations; one is current; picking switches.
func TestProfiles(t *testing.T) {
	s1, s2 := newOrgServer(t), newOrgServer(t)
	c, _ := newClient(t, nil)
	browserLogin(t, s1, c)
	browserLogin(t, s2, c)
	sessions, current, err := c.Profiles()
	if err != nil || len(sessions) != 2 || current != s2.url {
		t.Fatalf("Profiles = %v %q %v", sessions, current, err)
	}
	if err := c.SelectProfile(s1.url + "/"); err != nil {
		t.Fatal(err)
	}
	if cred, err := c.Credential(context.Background(), ""); err != nil || cred.StartURL != s1.url {
		t.Fatalf("after selecting: %+v %v", cred, err)
	}
	if err := c.SelectProfile("http://127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "not logged in to http://127.0.0.1:1") {
		t.Fatalf("selecting an unknown profile: %v", err)
	}
	if _, err := c.Credential(context.Background(), "http://127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "q login --start-url http://127.0.0.1:1") {
		t.Fatalf("credential for an unknown server: %v", err)
	}
}

func TestDamagedSessionFile(t *testing.T) {
	c, _ := newClient(t, nil)
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.Dir, "sessions.json")
	for _, content := range []string{"{not json", `{"version":2}`, `{"version":1,"sessions":[{"start_url":"x"}]}`} {
		os.WriteFile(path, []byte(content), 0o600)
		_, err := c.Credential(context.Background(), "")
		if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v, want one line naming %s", content, err, path)
		}
	}
}

func TestLoginErrors(t *testing.T) {
	c, _ := newClient(t, nil)
	ctx := context.Background()
	for start, want := range map[string]string{
		"ftp://example.com":     "expected http(s)://",
		"http://127.0.0.1:1":    "server http://127.0.0.1:1:",
		"http://user@127.0.0.1": "expected http(s)://",
	} {
		_, err := c.Login(ctx, org.LoginOptions{StartURL: start, DeviceFlow: true, Out: io.Discard, Timeout: 5 * time.Second})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want %q", start, err, want)
		}
	}
	// A server that names itself otherwise is not trusted.
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"issuer":"http://elsewhere.example","token_endpoint":"http://elsewhere.example/t"}`)
	}))
	defer hs.Close()
	if _, err := c.Login(ctx, org.LoginOptions{StartURL: hs.URL, DeviceFlow: true, Out: io.Discard}); err == nil ||
		!strings.Contains(err.Error(), `names itself "http://elsewhere.example"`) {
		t.Fatalf("issuer mismatch: %v", err)
	}
}
