package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

// testFederation: a login in progress is taken once and not after it
// expires; a provider's subject links to one user, and a second subject
// cannot take over a linked user.
func testFederation(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	now := time.Now()
	for _, l := range []serverstore.FederationLogin{
		{State: "s1", Provider: "okta", Nonce: "n", Verifier: "v", ReturnTo: "/x", ExpiresAt: now.Add(time.Minute)},
		{State: "s2", Provider: "okta", Nonce: "n", Verifier: "v", ExpiresAt: now.Add(time.Second)},
	} {
		must(t, s.CreateFederationLogin(ctx, l))
	}
	l, err := s.TakeFederationLogin(ctx, "s1", now)
	must(t, err)
	if l.Provider != "okta" || l.ReturnTo != "/x" || l.Verifier != "v" {
		t.Fatalf("login = %+v", l)
	}
	_, err = s.TakeFederationLogin(ctx, "s1", now)
	wantErr(t, err, serverstore.ErrNotFound)
	_, err = s.TakeFederationLogin(ctx, "s2", now.Add(2*time.Second))
	wantErr(t, err, serverstore.ErrNotFound)

	in := serverstore.FederatedSignIn{Provider: "okta", Subject: "s1", Email: "a@example.com", Managed: []string{"eng", "ops"}, Groups: []string{"eng"}}
	_, _, err = s.SignInFederated(ctx, in)
	wantErr(t, err, serverstore.ErrNoAccount)
	in.CreateUsers = true
	u, created, err := s.SignInFederated(ctx, in)
	must(t, err)
	if !created || !slices.Equal(u.Groups, []string{"eng"}) || u.Role != serverstore.RoleUser {
		t.Fatalf("first sign-in = %+v, created %v", u, created)
	}
	in.Subject, in.Groups = "s2", nil
	_, _, err = s.SignInFederated(ctx, in)
	wantErr(t, err, serverstore.ErrIdentityLinked)
	in.Subject, in.Email = "s1", "changed@example.com"
	again, created, err := s.SignInFederated(ctx, in)
	must(t, err)
	if created || again.ID != u.ID || len(again.Groups) != 0 {
		t.Fatalf("second sign-in = %+v, created %v", again, created)
	}
	must(t, s.DisableUser(ctx, "a@example.com"))
	_, _, err = s.SignInFederated(ctx, in)
	wantErr(t, err, serverstore.ErrUserDisabled)
}
