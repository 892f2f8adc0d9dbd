package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// publishedKIDs returns the key ids the JWKS endpoint publishes.
func publishedKIDs(t *testing.T, f *fixture) []string {
	t.Helper()
	resp, err := http.Get(f.url + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
			Alg string `json:"alg"`
			Use string `json:"use"`
			D   string `json:"d"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range set.Keys {
		if k.Alg != "RS256" || k.Use != "sig" || k.D != "" {
			t.Fatalf("published key %+v (a private part must never show)", k)
		}
		ids = append(ids, k.KID)
	}
	return ids
}

// TestKeyRotation: a new key is published before it signs; tokens signed
// with the old key keep verifying until they have expired; then the old
// key goes. Two replicas (providers on one store) agree throughout.
func TestKeyRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	b := f.browser()
	b.signIn("alice@example.com", f.alicePW)
	first := f.deviceLogin(b)
	kids := publishedKIDs(t, f)
	if len(kids) != 1 {
		t.Fatalf("published %v, want one key", kids)
	}
	replica, err := New(ctx, Config{Store: f.st, Log: f.p.log, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}

	// Just before the key has signed for its period, the next is added,
	// but not used yet.
	f.clock.Advance(keyRotation - keyPublishAhead + time.Second)
	if _, err := f.p.keys.rotate(ctx); err != nil {
		t.Fatal(err)
	}
	// Rotating again (another replica's job) adds nothing.
	if _, err := replica.keys.rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if kids2 := publishedKIDs(t, f); len(kids2) != 2 || kids2[0] != kids[0] {
		t.Fatalf("after rotation published %v, want %s and one new key", kids2, kids[0])
	}
	k, err := f.p.keys.signing(ctx)
	if err != nil || k.id != kids[0] {
		t.Fatalf("signing with %v before the new key's time", k.id)
	}

	// The new key's time comes: new tokens are signed with it, and the
	// other replica verifies them at once.
	f.clock.Advance(keyPublishAhead)
	f.p.keys.mu.Lock()
	f.p.keys.loadedAt = time.Time{}
	f.p.keys.mu.Unlock()
	b.signIn("alice@example.com", f.alicePW) // the browser session has long expired
	second := f.deviceLogin(b)
	header := jwtHeader(t, second.AccessToken)
	if header["kid"] == kids[0] {
		t.Fatal("still signing with the old key")
	}
	if _, err := replica.Authenticate(ctx, second.AccessToken); err != nil {
		t.Fatalf("the other replica refused a token of the new key: %v", err)
	}

	// The old key stays while its tokens may be valid, then goes.
	if _, err := f.p.keys.rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if len(publishedKIDs(t, f)) != 2 {
		t.Fatal("the old key went while its tokens were still valid")
	}
	f.clock.Advance(keyRetention + time.Minute)
	if _, err := f.p.keys.rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if kids3 := publishedKIDs(t, f); len(kids3) != 1 || kids3[0] != header["kid"] {
		t.Fatalf("after retention published %v, want only %v", kids3, header["kid"])
	}
	if _, ok := f.authenticates(first.AccessToken); ok {
		t.Fatal("a token of a retired key was accepted")
	}
}

func jwtHeader(t *testing.T, tok string) map[string]any {
	t.Helper()
	return jwtSegment(t, tok, 0)
}
