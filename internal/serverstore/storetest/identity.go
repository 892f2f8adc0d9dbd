package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

// identityTests are the suite's tests of the identity provider's state.
var identityTests = []struct {
	name string
	fn   func(*testing.T, NewDB)
}{
	{"SigningKeysAndSecrets", testSigningKeysAndSecrets},
	{"PasswordsAndFailures", testPasswordsAndFailures},
	{"AttemptsTakenAtOnce", testAttemptsTakenAtOnce},
	{"WebSessions", testWebSessions},
	{"AuthRequestCodeOnce", testAuthRequestCodeOnce},
	{"DeviceGrantIssuedOnce", testDeviceGrantIssuedOnce},
	{"RefreshRotationAndReuse", testRefreshRotationAndReuse},
	{"AccessTokensFollowUser", testAccessTokensFollowUser},
	{"DisablingEndsSessions", testDisablingEndsSessions},
}

func newUser(t *testing.T, s *serverstore.Store, email string) serverstore.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), email, "", serverstore.RoleUser, nil)
	must(t, err)
	return u
}

func testSigningKeysAndSecrets(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	opts := newDB(t)
	s := Open(t, opts)
	now := time.Now().UTC().Truncate(time.Millisecond)
	k := serverstore.SigningKey{ID: "k1", Generation: 1, Algorithm: "RS256", PrivateKey: "pem", CreatedAt: now, ActiveAt: now}
	must(t, s.AddSigningKey(ctx, k))
	k2 := k
	k2.ID = "k1b"
	wantErr(t, s.AddSigningKey(ctx, k2), serverstore.ErrExists)
	k3 := k
	k3.ID, k3.Generation = "k2", 2
	must(t, s.AddSigningKey(ctx, k3))
	keys, err := s.SigningKeys(ctx)
	must(t, err)
	if len(keys) != 2 || keys[0] != k || keys[1] != k3 {
		t.Fatalf("keys = %+v", keys)
	}
	must(t, s.DeleteSigningKeysBefore(ctx, 2))
	if keys, _ := s.SigningKeys(ctx); len(keys) != 1 || keys[0].ID != "k2" {
		t.Fatalf("after delete: %+v", keys)
	}

	// Replicas racing to create a secret all get the first one stored.
	var wg sync.WaitGroup
	got := make([]string, 6)
	for i := range got {
		wg.Go(func() {
			r := Open(t, opts)
			v, err := r.Secret(ctx, "seal", func() string { return fmt.Sprint("v", i) })
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] || v == "" {
			t.Fatalf("replicas disagree on the secret: %v", got)
		}
	}
}

func testPasswordsAndFailures(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	now := time.Now()
	wantErr(t, s.SetPassword(ctx, "nobody@example.com", "h", now), serverstore.ErrNotFound)
	u := newUser(t, s, "p@example.com")
	_, _, err := s.PasswordHash(ctx, u.Email)
	wantErr(t, err, serverstore.ErrNotFound)
	must(t, s.SetPassword(ctx, u.Email, "h1", now))
	must(t, s.SetPassword(ctx, u.Email, "h2", now))
	got, hash, err := s.PasswordHash(ctx, u.Email)
	must(t, err)
	if got.ID != u.ID || hash != "h2" {
		t.Fatalf("PasswordHash = %v %q", got, hash)
	}
	must(t, s.DisableUser(ctx, u.Email))
	_, _, err = s.PasswordHash(ctx, u.Email)
	wantErr(t, err, serverstore.ErrNotFound)

	for i := range 3 {
		must(t, s.RecordFailure(ctx, "account:a", now.Add(time.Duration(i)*time.Minute)))
	}
	must(t, s.RecordFailure(ctx, "ip:1", now))
	n, err := s.Failures(ctx, "account:a", now.Add(time.Minute))
	must(t, err)
	if n != 2 {
		t.Fatalf("failures since +1m = %d, want 2", n)
	}
	must(t, s.ClearFailures(ctx, "account:a"))
	if n, _ := s.Failures(ctx, "account:a", now.Add(-time.Hour)); n != 0 {
		t.Fatalf("after clear: %d", n)
	}
	if n, _ := s.Failures(ctx, "ip:1", now.Add(-time.Hour)); n != 1 {
		t.Fatalf("another subject's failures were cleared: %d", n)
	}
}

// testAttemptsTakenAtOnce: attempts taken at the same moment are counted
// one at a time, so no more than the limit get through; a forgiven attempt
// no longer counts.
func testAttemptsTakenAtOnce(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	now := time.Now()
	limits := map[string]int{"account:a": 3, "address:x": 10}
	var wg sync.WaitGroup
	var taken atomic.Int32
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.TakeAttempt(ctx, limits, now.Add(-time.Hour), now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				taken.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := taken.Load(); n != 3 {
		t.Fatalf("%d attempts taken at once got through, want 3", n)
	}
	if n, _ := s.Failures(ctx, "address:x", now.Add(-time.Hour)); n != 3 {
		t.Fatalf("refused attempts were counted: address has %d", n)
	}
	must(t, s.ForgiveAttempt(ctx, []string{"address:x"}, now))
	if n, _ := s.Failures(ctx, "address:x", now.Add(-time.Hour)); n != 2 {
		t.Fatalf("after forgiving one of 3: %d", n)
	}
	if ok, err := s.TakeAttempt(ctx, map[string]int{"address:x": 3}, now.Add(-time.Hour), now); err != nil || !ok {
		t.Fatalf("after forgiving: %v %v", ok, err)
	}
}

func testWebSessions(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	u := newUser(t, s, "w@example.com")
	now := time.Now()
	must(t, s.CreateWebSession(ctx, "tok", u.ID, now, now.Add(time.Hour)))
	got, err := s.WebSessionUser(ctx, "tok", now)
	must(t, err)
	if got.ID != u.ID {
		t.Fatalf("session user = %v", got)
	}
	_, err = s.WebSessionUser(ctx, "tok", now.Add(2*time.Hour))
	wantErr(t, err, serverstore.ErrNotFound)
	_, err = s.WebSessionUser(ctx, "other", now)
	wantErr(t, err, serverstore.ErrNotFound)
	must(t, s.DisableUser(ctx, u.Email))
	_, err = s.WebSessionUser(ctx, "tok", now)
	wantErr(t, err, serverstore.ErrNotFound)
	must(t, s.DeleteWebSession(ctx, "tok"))
	must(t, s.DeleteWebSession(ctx, "tok"))
}

func testAuthRequestCodeOnce(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	u := newUser(t, s, "a@example.com")
	now := time.Now()
	r := serverstore.AuthRequest{ID: "ar1", ClientID: "q", Request: []byte(`{"x":1}`), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	must(t, s.CreateAuthRequest(ctx, r))
	// No code before approval.
	wantErr(t, s.SaveAuthCode(ctx, "ar1", "c0"), serverstore.ErrNotFound)
	must(t, s.ApproveAuthRequest(ctx, "ar1", u.ID, now, now))
	wantErr(t, s.ApproveAuthRequest(ctx, "ar1", u.ID, now, now), serverstore.ErrNotFound)
	must(t, s.SaveAuthCode(ctx, "ar1", "code"))
	wantErr(t, s.SaveAuthCode(ctx, "ar1", "code2"), serverstore.ErrNotFound)

	var wg sync.WaitGroup
	wins := make(chan serverstore.AuthRequest, 4)
	for range 4 {
		wg.Go(func() {
			if got, err := s.ConsumeAuthCode(ctx, "code", now); err == nil {
				wins <- got
			}
		})
	}
	wg.Wait()
	close(wins)
	if len(wins) != 1 {
		t.Fatalf("%d exchanges of one code succeeded", len(wins))
	}
	got := <-wins
	if got.UserID != u.ID || string(got.Request) != `{"x":1}` || got.AuthTime == nil {
		t.Fatalf("consumed %+v", got)
	}
	wantErr(t, s.SaveAuthCode(ctx, "ar1", "code3"), serverstore.ErrNotFound)
	must(t, s.DeleteAuthRequest(ctx, "ar1"))
	_, err := s.AuthRequestByID(ctx, "ar1", now)
	wantErr(t, err, serverstore.ErrNotFound)

	// An expired request is gone for every purpose.
	must(t, s.CreateAuthRequest(ctx, serverstore.AuthRequest{ID: "ar2", ClientID: "q", Request: []byte("{}"), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
	wantErr(t, s.ApproveAuthRequest(ctx, "ar2", u.ID, now, now.Add(2*time.Minute)), serverstore.ErrNotFound)
	_, err = s.AuthRequestByID(ctx, "ar2", now.Add(2*time.Minute))
	wantErr(t, err, serverstore.ErrNotFound)
}

func testDeviceGrantIssuedOnce(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	u := newUser(t, s, "d@example.com")
	now := time.Now()
	must(t, s.CreateDeviceGrant(ctx, "dev1", "ABCD-EFGH", "q", []string{"openid", "email"}, now, now.Add(10*time.Minute)))
	wantErr(t, s.CreateDeviceGrant(ctx, "dev2", "ABCD-EFGH", "q", nil, now, now.Add(10*time.Minute)), serverstore.ErrExists)
	g, err := s.PollDeviceGrant(ctx, "q", "dev1")
	must(t, err)
	if g.State != serverstore.DevicePending || len(g.Scopes) != 2 {
		t.Fatalf("poll = %+v", g)
	}
	_, err = s.PollDeviceGrant(ctx, "other-client", "dev1")
	wantErr(t, err, serverstore.ErrNotFound)
	if _, err := s.PendingDeviceGrant(ctx, "ABCD-EFGH", now); err != nil {
		t.Fatal(err)
	}
	must(t, s.DecideDeviceGrant(ctx, "ABCD-EFGH", u.ID, true, now))
	wantErr(t, s.DecideDeviceGrant(ctx, "ABCD-EFGH", u.ID, false, now), serverstore.ErrNotFound)
	_, err = s.PendingDeviceGrant(ctx, "ABCD-EFGH", now)
	wantErr(t, err, serverstore.ErrNotFound)

	var wg sync.WaitGroup
	approved := make(chan serverstore.DeviceGrant, 4)
	for range 4 {
		wg.Go(func() {
			if g, err := s.PollDeviceGrant(ctx, "q", "dev1"); err == nil && g.State == serverstore.DeviceApproved {
				approved <- g
			}
		})
	}
	wg.Wait()
	close(approved)
	if len(approved) != 1 {
		t.Fatalf("%d polls collected the approval", len(approved))
	}
	if g := <-approved; g.UserID != u.ID {
		t.Fatalf("approved by %q", g.UserID)
	}

	// A code expired is free for a new grant; a decision after expiry fails.
	must(t, s.CreateDeviceGrant(ctx, "dev3", "WXYZ-WXYZ", "q", nil, now, now.Add(time.Minute)))
	wantErr(t, s.DecideDeviceGrant(ctx, "WXYZ-WXYZ", u.ID, true, now.Add(2*time.Minute)), serverstore.ErrNotFound)
	must(t, s.CreateDeviceGrant(ctx, "dev4", "WXYZ-WXYZ", "q", nil, now.Add(2*time.Minute), now.Add(12*time.Minute)))
}

func testRefreshRotationAndReuse(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	u := newUser(t, s, "r@example.com")
	now := time.Now().UTC().Truncate(time.Millisecond)
	grant := serverstore.TokenGrant{UserID: u.ID, ClientID: "q", Scopes: []string{"openid", "offline_access"}, AMR: []string{"pwd"}, AuthTime: now}
	issue := func(access, refresh, rotate string) error {
		return s.IssueTokens(ctx, serverstore.TokenIssue{AccessTokenID: access, AccessExpires: now.Add(time.Hour),
			Refresh: refresh, Rotate: rotate, Grant: grant, RefreshIdle: 24 * time.Hour, RefreshMax: 48 * time.Hour}, now)
	}
	must(t, issue("at1", "rt1", ""))
	rt, err := s.RefreshTokenByToken(ctx, "rt1", now)
	must(t, err)
	if rt.UserID != u.ID || rt.ClientID != "q" || len(rt.Scopes) != 2 || !rt.AuthTime.Equal(now) {
		t.Fatalf("refresh token = %+v", rt)
	}
	must(t, issue("at2", "rt2", "rt1"))
	// The old token again: refused, and the family with it.
	wantErr(t, issue("at3", "rt3", "rt1"), serverstore.ErrNotFound)
	_, err = s.RefreshTokenByToken(ctx, "rt1", now)
	wantErr(t, err, serverstore.ErrTokenReused)
	_, err = s.RefreshTokenByToken(ctx, "rt2", now)
	wantErr(t, err, serverstore.ErrNotFound)
	for _, at := range []string{"at1", "at2"} {
		_, err = s.AccessTokenUser(ctx, at, now)
		wantErr(t, err, serverstore.ErrNotFound)
	}

	// Two rotations racing: one wins.
	must(t, issue("at4", "rt4", ""))
	var wg sync.WaitGroup
	ok := make(chan bool, 4)
	for i := range 4 {
		wg.Go(func() { ok <- issue(fmt.Sprint("at5-", i), fmt.Sprint("rt5-", i), "rt4") == nil })
	}
	wg.Wait()
	close(ok)
	wins := 0
	for w := range ok {
		if w {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d rotations of one token succeeded", wins)
	}

	// The family's lifetime bounds every token in it.
	_, err = s.RefreshTokenByToken(ctx, "rt4", now.Add(49*time.Hour))
	wantErr(t, err, serverstore.ErrNotFound)

	// Revoking by id ends the family, for the right client only.
	must(t, issue("at6", "rt6", ""))
	id, uid, client, err := s.RefreshTokenID(ctx, "rt6")
	must(t, err)
	if uid != u.ID || client != "q" {
		t.Fatalf("RefreshTokenID = %s %s %s", id, uid, client)
	}
	wantErr(t, s.RevokeRefreshToken(ctx, id, u.ID, "other"), serverstore.ErrNotFound)
	wantErr(t, s.RevokeRefreshToken(ctx, id, "usr_other", "q"), serverstore.ErrNotFound)
	must(t, s.RevokeRefreshToken(ctx, id, u.ID, "q"))
	_, err = s.AccessTokenUser(ctx, "at6", now)
	wantErr(t, err, serverstore.ErrNotFound)
	must(t, s.PurgeExpiredIdentity(ctx, now.Add(72*time.Hour)))
}

func testAccessTokensFollowUser(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	u := newUser(t, s, "t@example.com")
	now := time.Now()
	grant := serverstore.TokenGrant{UserID: u.ID, ClientID: "q", AuthTime: now}
	must(t, s.IssueTokens(ctx, serverstore.TokenIssue{AccessTokenID: "at1", AccessExpires: now.Add(time.Hour), Grant: grant}, now))
	got, err := s.AccessTokenUser(ctx, "at1", now)
	must(t, err)
	if got.ID != u.ID {
		t.Fatalf("token user = %v", got)
	}
	_, err = s.AccessTokenUser(ctx, "at1", now.Add(2*time.Hour))
	wantErr(t, err, serverstore.ErrNotFound)
	wantErr(t, s.RevokeAccessToken(ctx, "at1", "someone-else", "q"), serverstore.ErrNotFound)
	must(t, s.DisableUser(ctx, u.Email))
	_, err = s.AccessTokenUser(ctx, "at1", now)
	wantErr(t, err, serverstore.ErrNotFound)
	// Disabling revoked it (testDisablingEndsSessions).
	wantErr(t, s.RevokeAccessToken(ctx, "at1", u.ID, "q"), serverstore.ErrNotFound)

	v := newUser(t, s, "v@example.com")
	grant.UserID = v.ID
	must(t, s.IssueTokens(ctx, serverstore.TokenIssue{AccessTokenID: "at2", AccessExpires: now.Add(time.Hour), Grant: grant,
		Refresh: "rt2", RefreshIdle: time.Hour, RefreshMax: time.Hour}, now))
	must(t, s.RevokeUserTokens(ctx, v.ID, "q"))
	_, err = s.AccessTokenUser(ctx, "at2", now)
	wantErr(t, err, serverstore.ErrNotFound)
	_, err = s.RefreshTokenByToken(ctx, "rt2", now)
	wantErr(t, err, serverstore.ErrNotFound)
	must(t, s.DeleteUser(ctx, v.Email))
}

// testDisablingEndsSessions: disabling a user, by the admin API or by SCIM,
// ends their browser sessions and their access and refresh tokens, so that
// enabling them again does not bring back sessions that were open (on a
// stolen laptop, say) when they were disabled.
func testDisablingEndsSessions(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	now := time.Now()
	for _, disable := range []struct {
		name string
		do   func(u serverstore.User) error
	}{
		{"DisableUser", func(u serverstore.User) error { return s.DisableUser(ctx, u.Email) }},
		{"SCIM active false", func(u serverstore.User) error {
			_, err := s.UpdateSCIMUser(ctx, u.ID, func(su *serverstore.SCIMUser) error { su.Active = false; return nil })
			return err
		}},
	} {
		u := newUser(t, s, strings.ReplaceAll(disable.name, " ", "-")+"@example.com")
		grant := serverstore.TokenGrant{UserID: u.ID, ClientID: "q", AuthTime: now}
		must(t, s.IssueTokens(ctx, serverstore.TokenIssue{AccessTokenID: "at-" + u.ID, AccessExpires: now.Add(time.Hour), Grant: grant,
			Refresh: "rt-" + u.ID, RefreshIdle: time.Hour, RefreshMax: time.Hour}, now))
		must(t, s.CreateWebSession(ctx, "ws-"+u.ID, u.ID, now, now.Add(time.Hour)))
		// A device the user approved, which has not yet fetched its tokens.
		code := map[string]string{"DisableUser": "DDDD-DDDD"}[disable.name]
		if code == "" {
			code = "SSSS-SSSS"
		}
		must(t, s.CreateDeviceGrant(ctx, "dev-"+u.ID, code, "q", []string{"openid"}, now, now.Add(10*time.Minute)))
		must(t, s.DecideDeviceGrant(ctx, code, u.ID, true, now))
		must(t, disable.do(u))
		_, err := s.UpdateSCIMUser(ctx, u.ID, func(su *serverstore.SCIMUser) error { su.Active = true; return nil })
		must(t, err)
		if _, err := s.AccessTokenUser(ctx, "at-"+u.ID, now); !errors.Is(err, serverstore.ErrNotFound) {
			t.Errorf("%s, then enabled again: the access token still works (%v)", disable.name, err)
		}
		if _, err := s.RefreshTokenByToken(ctx, "rt-"+u.ID, now); !errors.Is(err, serverstore.ErrNotFound) {
			t.Errorf("%s, then enabled again: the refresh token still works (%v)", disable.name, err)
		}
		if _, err := s.WebSessionUser(ctx, "ws-"+u.ID, now); !errors.Is(err, serverstore.ErrNotFound) {
			t.Errorf("%s, then enabled again: the browser session still works (%v)", disable.name, err)
		}
		if g, err := s.PollDeviceGrant(ctx, "q", "dev-"+u.ID); !errors.Is(err, serverstore.ErrNotFound) {
			t.Errorf("%s, then enabled again: the device approved before still gets tokens (%+v, %v)", disable.name, g, err)
		}
	}
}
