package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/qdev/qdev/internal/adminapi"
)

func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.url + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"issuer": f.url, "token_endpoint": f.url + "/oauth/token",
		"device_authorization_endpoint": f.url + "/device_authorization", "revocation_endpoint": f.url + "/revoke",
		"jwks_uri": f.url + "/keys", "authorization_endpoint": f.url + "/authorize"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %s", k, m[k], want)
		}
	}
	if b, _ := json.Marshal(m["code_challenge_methods_supported"]); string(b) != `["S256"]` {
		t.Errorf("code_challenge_methods_supported = %s", b)
	}
}

// TestDeviceFlow: the user approves in the browser; q's poll gets tokens
// once; the access token names the user; the refresh token rotates and a
// reused one revokes the session; revocation ends it too.
func TestDeviceFlow(t *testing.T) { onBothStores(t, testDeviceFlow) }

func testDeviceFlow(t *testing.T, f *fixture) {
	dc, uc := f.deviceStart()
	if code, tr := f.devicePoll(dc); code != 400 || tr.Error != "authorization_pending" {
		t.Fatalf("poll before approval: %d %+v", code, tr)
	}
	b := f.browser()
	// The verification page sends a browser that is not signed in to sign in.
	resp, body := b.get(devicePath + "?user_code=" + uc)
	if resp.Request.URL.Path != signInPath || !strings.Contains(body, `id="password"`) {
		t.Fatalf("verification page without a session went to %s", resp.Request.URL)
	}
	b.signIn("alice@example.com", f.alicePW)
	resp, body = b.get(devicePath + "?user_code=" + url.QueryEscape(strings.ToLower(strings.ReplaceAll(uc, "-", " "))))
	if resp.StatusCode != 200 || !strings.Contains(body, `id="code">`+uc+"<") {
		t.Fatalf("confirmation page: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := b.post(devicePath, url.Values{"user_code": {uc}, "decision": {"allow"}}); resp.StatusCode != 200 ||
		!strings.Contains(body, "signed in as alice@example.com") {
		t.Fatalf("approval: %d\n%s", resp.StatusCode, body)
	}
	code, tr := f.devicePoll(dc)
	if code != 200 || tr.AccessToken == "" || tr.RefreshToken == "" || tr.IDToken == "" || tr.ExpiresIn > 3600 || tr.ExpiresIn < 3500 {
		t.Fatalf("device token: %d %+v", code, tr)
	}
	if code, tr := f.devicePoll(dc); code == 200 {
		t.Fatalf("a device code gave tokens twice: %+v", tr)
	}
	claims := jwtClaims(t, tr.AccessToken)
	if claims["sub"] != f.alice.ID || claims["email"] != "alice@example.com" || claims["iss"] != f.url {
		t.Fatalf("access token claims: %v", claims)
	}
	if u, ok := f.authenticates(tr.AccessToken); !ok || u.ID != f.alice.ID {
		t.Fatalf("Authenticate = %v %v", u, ok)
	}
	// The ID token is signed with the same key, but it is no access token.
	if _, ok := f.authenticates(tr.IDToken); ok {
		t.Fatal("an ID token was accepted as an access token")
	}

	code, tr2 := f.refresh(tr.RefreshToken)
	if code != 200 || tr2.RefreshToken == "" || tr2.RefreshToken == tr.RefreshToken {
		t.Fatalf("refresh: %d %+v", code, tr2)
	}
	if _, ok := f.authenticates(tr2.AccessToken); !ok {
		t.Fatal("the refreshed access token is refused")
	}
	// The old refresh token again: refused, and the session it belongs to
	// is over, tokens issued since included.
	if code, tr3 := f.refresh(tr.RefreshToken); code != 400 || tr3.Error != "invalid_grant" {
		t.Fatalf("reusing a refresh token: %d %+v", code, tr3)
	}
	for _, tok := range []string{tr.AccessToken, tr2.AccessToken} {
		if _, ok := f.authenticates(tok); ok {
			t.Fatal("an access token survived the reuse of its refresh token")
		}
	}
	if code, _ := f.refresh(tr2.RefreshToken); code == 200 {
		t.Fatal("the rotated refresh token survived the reuse of its predecessor")
	}

	// Revocation (q logout): the refresh token ends the session.
	tr4 := f.deviceLogin(b)
	if code, _ := f.form("/revoke", url.Values{"client_id": {adminapi.CLIClientID}, "token": {tr4.RefreshToken},
		"token_type_hint": {"refresh_token"}}); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if _, ok := f.authenticates(tr4.AccessToken); ok {
		t.Fatal("the access token outlived its revoked session")
	}
	if code, _ := f.refresh(tr4.RefreshToken); code == 200 {
		t.Fatal("a revoked refresh token was accepted")
	}
	// And an access token alone can be revoked.
	tr5 := f.deviceLogin(b)
	if code, _ := f.form("/revoke", url.Values{"client_id": {adminapi.CLIClientID}, "token": {tr5.AccessToken},
		"token_type_hint": {"access_token"}}); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if _, ok := f.authenticates(tr5.AccessToken); ok {
		t.Fatal("a revoked access token was accepted")
	}
}

// TestDeviceDenied: a refusal ends the grant.
func TestDeviceDenied(t *testing.T) {
	f := newFixture(t)
	dc, uc := f.deviceStart()
	b := f.browser()
	b.signIn("bob@example.com", f.bobPW)
	if resp, _ := b.post(devicePath, url.Values{"user_code": {uc}, "decision": {"deny"}}); resp.StatusCode != 200 {
		t.Fatalf("deny: %d", resp.StatusCode)
	}
	if code, tr := f.devicePoll(dc); code != 400 || tr.Error != "access_denied" {
		t.Fatalf("poll after denial: %d %+v", code, tr)
	}
	// A decided code cannot be decided again.
	if resp, _ := b.post(devicePath, url.Values{"user_code": {uc}, "decision": {"allow"}}); resp.StatusCode != 400 {
		t.Fatalf("second decision: %d", resp.StatusCode)
	}
}

// codeFlow runs q's browser sign-in up to the redirect to its loopback
// address, and returns that redirect's query.
func codeFlow(t *testing.T, f *fixture, b *browser, cfg *oauth2.Config, verifier, state string) url.Values {
	t.Helper()
	resp, body := b.get(strings.TrimPrefix(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), f.url))
	if resp.StatusCode != 200 || !strings.Contains(body, `id="allow"`) {
		t.Fatalf("consent page: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:") {
		t.Errorf("consent page CSP does not let the form end at q: %q", csp)
	}
	id := regexpField(t, body, "id")
	resp, body = b.post(consentPath, url.Values{"id": {id}, "decision": {"allow"}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("after consent: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != strings.TrimPrefix(strings.TrimSuffix(cfg.RedirectURL, "/callback"), "http://") {
		t.Fatalf("redirected to %q, want %s", resp.Header.Get("Location"), cfg.RedirectURL)
	}
	return loc.Query()
}

func cliConfig(f *fixture, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: adminapi.CLIClientID, RedirectURL: redirect,
		Scopes:   []string{"openid", "email", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: f.url + "/authorize", TokenURL: f.url + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}}
}

// TestCodeFlowWithPKCE: q's default sign-in. The code is bound to the
// verifier and can be exchanged once.
func TestCodeFlowWithPKCE(t *testing.T) { onBothStores(t, testCodeFlowWithPKCE) }

func testCodeFlowWithPKCE(t *testing.T, f *fixture) {
	ctx := context.Background()
	cfg := cliConfig(f, "http://127.0.0.1:49152/callback")
	b := f.browser()
	verifier := oauth2.GenerateVerifier()
	// Not signed in: /authorize leads to the sign-in page, then back.
	resp, _ := b.get(strings.TrimPrefix(cfg.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)), f.url))
	if resp.Request.URL.Path != signInPath {
		t.Fatalf("/authorize without a session went to %s", resp.Request.URL)
	}
	next := resp.Request.URL.Query().Get("next")
	resp, body := b.post(signInPath, url.Values{"email": {"alice@example.com"}, "password": {f.alicePW}, "next": {next}})
	if resp.StatusCode != 200 || !strings.Contains(body, `id="allow"`) {
		t.Fatalf("after signing in: %d %s", resp.StatusCode, resp.Request.URL)
	}
	q := codeFlow(t, f, b, cfg, verifier, "s1")
	if q.Get("state") != "s1" || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("the code was exchanged with the wrong verifier")
	}
	// The failed exchange spent the code: a code is good for one try.
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code was exchanged after a failed try")
	}

	verifier = oauth2.GenerateVerifier()
	q = codeFlow(t, f, b, cfg, verifier, "s2")
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v %+v", err, tok)
	}
	if u, ok := f.authenticates(tok.AccessToken); !ok || u.ID != f.alice.ID {
		t.Fatalf("the access token does not name alice: %v %v", u, ok)
	}
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code was exchanged twice")
	}
}

// TestCodeFlowDenied: a refusal goes back to q as access_denied.
func TestCodeFlowDenied(t *testing.T) {
	f := newFixture(t)
	cfg := cliConfig(f, "http://[::1]:5555/callback")
	b := f.browser()
	b.signIn("bob@example.com", f.bobPW)
	_, body := b.get(strings.TrimPrefix(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), f.url))
	resp, _ := b.post(consentPath, url.Values{"id": {regexpField(t, body, "id")}, "decision": {"deny"}})
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Host != "[::1]:5555" || loc.Query().Get("error") != "access_denied" ||
		loc.Query().Get("state") != "st" {
		t.Fatalf("denial: %d %s", resp.StatusCode, loc)
	}
}

// TestAuthorizeRefusals: requests q would never make are refused before
// anyone is asked anything.
func TestAuthorizeRefusals(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.signIn("alice@example.com", f.alicePW)
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	base := url.Values{"client_id": {adminapi.CLIClientID}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {"http://127.0.0.1:4000/callback"}, "state": {"x"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	for name, change := range map[string]func(url.Values){
		"no PKCE":            func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") },
		"plain PKCE":         func(v url.Values) { v.Set("code_challenge_method", "plain") },
		"remote redirect":    func(v url.Values) { v.Set("redirect_uri", "http://attacker.example/callback") },
		"other path":         func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:4000/other") },
		"unknown client":     func(v url.Values) { v.Set("client_id", "someone-else") },
		"implicit flow":      func(v url.Values) { v.Set("response_type", "id_token token") },
		"form_post response": func(v url.Values) { v.Set("response_mode", "form_post") },
	} {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		change(v)
		resp, body := b.get("/authorize?" + v.Encode())
		if strings.Contains(body, `id="allow"`) {
			t.Errorf("%s: the consent page was shown", name)
		}
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "code=") {
			t.Errorf("%s: a code was issued: %s", name, loc)
		}
	}
}

// regexpField returns the value of the hidden form field name in body.
func regexpField(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, `name="`+name+`" value="`)
	if i < 0 {
		t.Fatalf("no field %s in:\n%s", name, body)
	}
	rest := body[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// jwtClaims decodes a JWT's claims without checking it.
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	return jwtSegment(t, tok, 1)
}

// jwtSegment decodes the header (0) or claims (1) of a JWT.
func jwtSegment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
