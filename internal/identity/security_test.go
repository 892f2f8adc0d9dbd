package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

// TestEndpointsRefuseWrongUsers: each way in refuses whoever is not
// entitled — no session, another user's token, another client, a disabled
// or deleted account, forged and made-up tokens.
func TestEndpointsRefuseWrongUsers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice := f.browser()
	alice.signIn("alice@example.com", f.alicePW)
	aliceTok := f.deviceLogin(alice)

	t.Run("pages need a session", func(t *testing.T) {
		anon := f.browser()
		dc, uc := f.deviceStart()
		// Posting a decision without a session decides nothing.
		resp, _ := anon.post(devicePath, url.Values{"user_code": {uc}, "decision": {"allow"}})
		if resp.Request.URL.Path != signInPath {
			t.Errorf("device decision without a session ended at %s", resp.Request.URL)
		}
		if code, tr := f.devicePoll(dc); code == 200 {
			t.Fatalf("a grant was approved without a session: %+v", tr)
		}
		cfg := cliConfig(f, "http://127.0.0.1:4000/callback")
		_, body := alice.get(strings.TrimPrefix(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), f.url))
		id := regexpField(t, body, "id")
		resp, _ = anon.post(consentPath, url.Values{"id": {id}, "decision": {"allow"}})
		if resp.Request.URL.Path != signInPath {
			t.Errorf("consent without a session ended at %s", resp.Request.URL)
		}
		if r, _ := f.st.AuthRequestByID(ctx, id, time.Now()); r.UserID != "" {
			t.Fatal("an authorization request was approved without a session")
		}
	})

	t.Run("a made-up session cookie", func(t *testing.T) {
		b := f.browser()
		u, _ := url.Parse(f.url)
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: randomToken()}})
		if resp, _ := b.get(devicePath); resp.Request.URL.Path != signInPath {
			t.Errorf("a made-up session reached %s", resp.Request.URL)
		}
	})

	t.Run("tokens name their user", func(t *testing.T) {
		bob := f.browser()
		bob.signIn("bob@example.com", f.bobPW)
		bobTok := f.deviceLogin(bob)
		if u, ok := f.authenticates(bobTok.AccessToken); !ok || u.ID != f.bob.ID {
			t.Fatalf("bob's token: %v %v", u, ok)
		}
		// /userinfo answers for the token's own user only.
		req, _ := http.NewRequest(http.MethodGet, f.url+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+bobTok.AccessToken)
		resp, body := bob.do(req)
		if resp.StatusCode != 200 || !strings.Contains(body, `"sub":"`+f.bob.ID+`"`) || strings.Contains(body, f.alice.ID) {
			t.Fatalf("userinfo: %d %s", resp.StatusCode, body)
		}
		// Bob revoking with alice's refresh token id (not the token) does nothing.
		id, _, _, err := f.st.RefreshTokenID(ctx, aliceTok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		f.form("/revoke", url.Values{"client_id": {adminapi.CLIClientID}, "token": {id}})
		if _, ok := f.authenticates(aliceTok.AccessToken); !ok {
			t.Fatal("a refresh token id alone revoked a session")
		}
	})

	t.Run("end_session with an ID token", func(t *testing.T) {
		resp, err := http.Get(f.url + "/end_session?id_token_hint=" + url.QueryEscape(aliceTok.IDToken))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, ok := f.authenticates(aliceTok.AccessToken); !ok {
			t.Fatal("an ID token hint ended alice's session")
		}
	})

	t.Run("authorize callback", func(t *testing.T) {
		cfg := cliConfig(f, "http://127.0.0.1:4000/callback")
		_, body := alice.get(strings.TrimPrefix(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), f.url))
		id := regexpField(t, body, "id")
		// Not approved yet: the callback hands out no code.
		resp, _ := f.browser().get("/authorize/callback?id=" + url.QueryEscape(id))
		if strings.Contains(resp.Header.Get("Location"), "code=") {
			t.Fatal("the callback gave a code for a request nobody approved")
		}
		resp, _ = alice.post(consentPath, url.Values{"id": {id}, "decision": {"allow"}})
		if !strings.Contains(resp.Header.Get("Location"), "code=") {
			t.Fatalf("approval gave no code: %s", resp.Header.Get("Location"))
		}
		// Replaying the callback (its URL is no secret) gives no second code.
		resp, _ = f.browser().get("/authorize/callback?id=" + url.QueryEscape(id))
		if strings.Contains(resp.Header.Get("Location"), "code=") {
			t.Fatal("the callback gave a second code")
		}
	})

	t.Run("another client", func(t *testing.T) {
		dc, _ := f.deviceStart()
		if code, _ := f.form("/oauth/token", url.Values{"client_id": {"someone-else"},
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dc}}); code == 200 {
			t.Error("another client polled q's device code")
		}
		if code, _ := f.form("/oauth/token", url.Values{"client_id": {"someone-else"}, "grant_type": {"refresh_token"},
			"refresh_token": {aliceTok.RefreshToken}}); code == 200 {
			t.Error("another client used q's refresh token")
		}
		if code, _ := f.form("/device_authorization", url.Values{"client_id": {"someone-else"}, "scope": {"openid"}}); code == 200 {
			t.Error("an unknown client started a device grant")
		}
		if code, _ := f.form("/oauth/introspect", url.Values{"client_id": {adminapi.CLIClientID}, "token": {aliceTok.AccessToken}}); code == 200 {
			t.Error("a public client introspected a token")
		}
	})

	t.Run("forged tokens", func(t *testing.T) {
		// The same claims, signed with a key of our own under the
		// provider's key id.
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		keys, _ := f.p.keys.current(ctx)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256,
			Key: jose.JSONWebKey{Key: other, KeyID: keys[0].id}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(jwtClaims(t, aliceTok.AccessToken))
		jws, _ := signer.Sign(payload)
		forged, _ := jws.CompactSerialize()
		if _, ok := f.authenticates(forged); ok {
			t.Error("a token signed with another key was accepted")
		}
		// alg none, a truncated token, garbage and an API key's shape.
		parts := strings.Split(aliceTok.AccessToken, ".")
		for _, tok := range []string{
			"eyJhbGciOiJub25lIn0." + parts[1] + ".",
			parts[0] + "." + parts[1],
			parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-4] + "AAAA",
			"garbage", "", strings.Repeat("a.", 5000),
		} {
			if _, ok := f.authenticates(tok); ok {
				t.Errorf("token %.40q… was accepted", tok)
			}
		}
	})

	t.Run("disabled and deleted users", func(t *testing.T) {
		carol, err := f.st.CreateUser(ctx, "carol@example.com", "", "user", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.SetPassword(ctx, carol.Email, HashPassword("carol's passphrase"), time.Now()); err != nil {
			t.Fatal(err)
		}
		b := f.browser()
		b.signIn(carol.Email, "carol's passphrase")
		tok := f.deviceLogin(b)
		dc, uc := f.deviceStart()
		if resp, _ := b.post(devicePath, url.Values{"user_code": {uc}, "decision": {"allow"}}); resp.StatusCode != 200 {
			t.Fatal("approval failed")
		}
		if err := f.st.DisableUser(ctx, carol.Email); err != nil {
			t.Fatal(err)
		}
		if _, ok := f.authenticates(tok.AccessToken); ok {
			t.Error("a disabled user's access token was accepted")
		}
		if code, _ := f.refresh(tok.RefreshToken); code == 200 {
			t.Error("a disabled user's refresh token was accepted")
		}
		if code, _ := f.devicePoll(dc); code == 200 {
			t.Error("a disabled user's approved grant gave tokens")
		}
		if resp, _ := b.get(devicePath); resp.Request.URL.Path != signInPath {
			t.Error("a disabled user's browser session still works")
		}
		resp, _ := b.post(signInPath, url.Values{"email": {carol.Email}, "password": {"carol's passphrase"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a disabled user signed in: %d", resp.StatusCode)
		}
		if err := f.st.DeleteUser(ctx, carol.Email); err != nil {
			t.Fatal(err)
		}
		if _, ok := f.authenticates(tok.AccessToken); ok {
			t.Error("a deleted user's access token was accepted")
		}
	})
}

// TestFormsRefuseForgery: posts without the anti-forgery token, with
// another browser's, or from another site are refused.
func TestFormsRefuseForgery(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	for name, form := range map[string]url.Values{
		"no token":    {"email": {"alice@example.com"}, "password": {f.alicePW}, "csrf": {""}},
		"wrong token": {"email": {"alice@example.com"}, "password": {f.alicePW}, "csrf": {randomToken()}},
	} {
		b.csrf()
		resp, body := b.post(signInPath, form)
		if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "signed in") {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	// From another site: the browser says so, and that is enough.
	form := url.Values{"email": {"alice@example.com"}, "password": {f.alicePW}, "csrf": {b.csrf()}}
	req, _ := http.NewRequest(http.MethodPost, f.url+signInPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://attacker.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := b.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %d", resp.StatusCode)
	}
	// A body over the limit.
	big := url.Values{"email": {strings.Repeat("a", 20<<10)}, "password": {"x"}}
	if resp, _ := b.post(signInPath, big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d", resp.StatusCode)
	}
	// Sign-in goes only to pages of this site afterwards.
	resp, _ := b.post(signInPath, url.Values{"email": {"alice@example.com"}, "password": {f.alicePW}, "next": {"//attacker.example/x"}})
	if resp.Request.URL.Host != strings.TrimPrefix(f.url, "http://") || resp.Request.URL.Path != signInPath {
		t.Errorf("next sent the browser to %s", resp.Request.URL)
	}
}

// TestPageHeadersAndCookies: every page carries a strict policy; cookies
// are HttpOnly and SameSite, and Secure with the __Host- prefix over TLS.
func TestPageHeadersAndCookies(t *testing.T) {
	for _, tls := range []bool{false, true} {
		f := newFixtureOn(t, storetest.SQLite, tls)
		b := f.browser()
		resp, _ := b.get(signInPath)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("CSP %q", csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", h)
		}
		resp, _ = b.post(signInPath, url.Values{"email": {"alice@example.com"}, "password": {f.alicePW}})
		// The cookie was set on the answer that redirected.
		var cookies []*http.Cookie
		for r := resp; r != nil; r = r.Request.Response {
			cookies = append(cookies, r.Cookies()...)
		}
		var session *http.Cookie
		for _, c := range cookies {
			if strings.HasSuffix(c.Name, sessionCookie) {
				session = c
			}
		}
		if session == nil {
			t.Fatalf("tls=%v: no session cookie set", tls)
		}
		wantName := sessionCookie
		if tls {
			wantName = "__Host-" + sessionCookie
		}
		if session.Name != wantName || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != tls || session.Path != "/" {
			t.Errorf("tls=%v: session cookie %+v", tls, session)
		}
	}
}

// TestSignInLimits: failures are counted per account and per address;
// past the budget even the right password is refused.
func TestSignInLimits(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	for range accountFailures {
		if resp, _ := b.post(signInPath, url.Values{"email": {"alice@example.com"}, "password": {"wrong guess"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
	}
	resp, body := b.post(signInPath, url.Values{"email": {"alice@example.com"}, "password": {f.alicePW}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("after %d failures: %d", accountFailures, resp.StatusCode)
	}
	// Bob's account is not alice's: he signs in.
	b.signIn("bob@example.com", f.bobPW)
	// The window passes; alice may try again.
	f.clock.Advance(failureWindow + time.Minute)
	b.signIn("alice@example.com", f.alicePW)

	// One address guessing across accounts runs out too.
	for i := range addressFailures {
		b.post(signInPath, url.Values{"email": {"nobody" + string(rune('a'+i)) + "@example.com"}, "password": {"x"}})
	}
	if resp, _ := b.post(signInPath, url.Values{"email": {"bob@example.com"}, "password": {f.bobPW}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d failures from one address: %d", addressFailures, resp.StatusCode)
	}
}

// TestDeviceCodeLimits: wrong user codes are counted like wrong passwords.
func TestDeviceCodeLimits(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.signIn("alice@example.com", f.alicePW)
	_, uc := f.deviceStart()
	for range deviceCodeEntries {
		if resp, _ := b.get(devicePath + "?user_code=BBBB-BBBB"); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong code: %d", resp.StatusCode)
		}
	}
	if resp, _ := b.get(devicePath + "?user_code=" + uc); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after %d wrong codes: %d", deviceCodeEntries, resp.StatusCode)
	}
}

// TestTokenEndpointRateLimit: one address may not flood the token endpoint.
func TestTokenEndpointRateLimit(t *testing.T) {
	f := newFixture(t)
	limited := 0
	for range tokenRate + 5 {
		if code, tr := f.refresh("nonsense"); code == http.StatusTooManyRequests && tr.Error == "slow_down" {
			limited++
		}
	}
	if limited != 5 {
		t.Fatalf("%d of %d requests were limited, want 5", limited, tokenRate+5)
	}
}

// TestSignInLimitsHoldUnderConcurrency: guesses sent all at once are
// counted as they are checked, not after, so that a burst of them cannot
// try more passwords than the budget allows.
func TestSignInLimitsHoldUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	csrf := b.csrf()
	const burst = 3 * accountFailures
	codes := make(chan int, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"email": {"alice@example.com"}, "password": {fmt.Sprint("wrong guess ", i)}, "csrf": {csrf}}
			resp, err := b.c.PostForm(f.url+signInPath, form)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	checked := 0
	for c := range codes {
		switch c {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("a guess answered %d", c)
		}
	}
	if checked > accountFailures {
		t.Fatalf("%d of %d simultaneous guesses were checked, want at most %d", checked, burst, accountFailures)
	}
	// A sign-in that succeeds leaves no failure behind for its address.
	f.clock.Advance(failureWindow + time.Minute)
	for range addressFailures + 1 {
		b.signIn("bob@example.com", f.bobPW)
	}
}

// TestUnknownClientIsTheClientsFault: a request naming a client that is
// not q is refused as invalid_client (4xx), never answered as a server
// error.
func TestUnknownClientIsTheClientsFault(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{"/device_authorization", url.Values{"client_id": {"other"}, "scope": {"openid"}}},
		{"/oauth/token", url.Values{"client_id": {"other"}, "grant_type": {"refresh_token"}, "refresh_token": {"x"}}},
	} {
		code, tr := f.form(c.path, c.form)
		if code < 400 || code >= 500 || tr.Error != "invalid_client" {
			t.Errorf("%s as another client: %d %q, want 4xx invalid_client", c.path, code, tr.Error)
		}
	}
}

// TestIntrospectionRefusesInOAuthForm: no client can authenticate to the
// introspection endpoint (q is a public client), and its refusals are
// OAuth JSON errors, not the library's internal error text.
func TestIntrospectionRefusesInOAuthForm(t *testing.T) {
	f := newFixture(t)
	for _, auth := range [][2]string{{}, {adminapi.CLIClientID, "x"}, {"other", "x"}} {
		req, _ := http.NewRequest(http.MethodPost, f.url+"/oauth/introspect", strings.NewReader("token=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth[0] != "" {
			req.SetBasicAuth(auth[0], auth[1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error string `json:"error"`
		}
		decodeErr := json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || decodeErr != nil || body.Error != "invalid_client" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("introspection as %q: %d %q (%v)", auth[0], resp.StatusCode, body.Error, decodeErr)
		}
	}
}
