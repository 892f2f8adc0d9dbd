package scim_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

const patchOp = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

// TestOktaUserLifecycle provisions, deactivates, reactivates and deletes a
// user with the requests Okta sends, and checks that the user's API key
// follows on the other replica.
func TestOktaUserLifecycle(t *testing.T) { onBothStores(t, testOktaUserLifecycle) }

func testOktaUserLifecycle(t *testing.T, f *fixture) {
	lookup := "/Users?filter=" + url.QueryEscape(`userName eq "alice@example.com"`) + "&startIndex=1&count=100"
	if got := f.scim("GET", lookup, "", 200); got["totalResults"] != 0.0 {
		t.Fatalf("before provisioning: %v", got)
	}
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@example.com",
		"name":{"givenName":"Alice","familyName":"Liddell"},"emails":[{"primary":true,"value":"alice@example.com","type":"work"}],
		"displayName":"Alice Liddell","locale":"en-US","externalId":"00u1abc","groups":[],"password":"not-kept","active":true}`
	u := f.scim("POST", "/Users", body, 201)
	id := str(u, "id")
	if !strings.HasPrefix(id, "usr_") || str(u, "userName") != "alice@example.com" || str(u, "name.givenName") != "Alice" ||
		str(u, "displayName") != "Alice Liddell" || str(u, "emails.0.value") != "alice@example.com" || u["active"] != true ||
		str(u, "externalId") != "00u1abc" || !strings.HasSuffix(str(u, "meta.location"), "/scim/v2/Users/"+id) {
		t.Fatalf("created = %v", u)
	}
	if _, ok := u["password"]; ok {
		t.Fatal("the password is echoed")
	}
	if v := f.scim("POST", "/Users", body, 409); v["scimType"] != "uniqueness" {
		t.Fatalf("duplicate = %v", v)
	}
	upper := "/Users?filter=" + url.QueryEscape(`userName eq "ALICE@Example.com"`)
	if got := f.other.scimCall(f.token, "GET", upper, "", 200); got["totalResults"] != 1.0 || ids(got)[0] != id {
		t.Fatalf("case-insensitive lookup on the other replica = %v", got)
	}

	key := f.apiKey("alice@example.com")
	f.other.expectMe(key, 200)

	deactivate := `{` + patchOp + `,"Operations":[{"op":"replace","value":{"active":false}}]}`
	if u := f.scim("PATCH", "/Users/"+id, deactivate, 200); u["active"] != false || str(u, "userName") != "alice@example.com" {
		t.Fatalf("after deactivation = %v", u)
	}
	// No cache: the key is refused at once on both replicas.
	f.expectMe(key, 401)
	f.other.expectMe(key, 401)

	f.scim("PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[{"op":"replace","value":{"active":true}}]}`, 200)
	f.other.expectMe(key, 200)

	put := strings.Replace(body, `"Alice Liddell"`, `"Alice Pleasance"`, 1)
	if u := f.scim("PUT", "/Users/"+id, put, 200); str(u, "displayName") != "Alice Pleasance" || str(u, "name.familyName") != "Liddell" {
		t.Fatalf("after PUT = %v", u)
	}

	f.scim("DELETE", "/Users/"+id, "", 204)
	f.scim("GET", "/Users/"+id, "", 404)
	f.scim("DELETE", "/Users/"+id, "", 404)
	f.other.expectMe(key, 401)
}

// TestEntraUserLifecycle uses the requests Entra ID sends: a userName that
// is not the email, capitalised operations, paths with value filters,
// extension attributes and "False" as a string.
func TestEntraUserLifecycle(t *testing.T) { onBothStores(t, testEntraUserLifecycle) }

func testEntraUserLifecycle(t *testing.T, f *fixture) {
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId":"bob","userName":"Bob@contoso.onmicrosoft.com","active":true,
		"emails":[{"primary":true,"type":"work","value":"Bob@Contoso.com"}],"meta":{"resourceType":"User"},
		"name":{"formatted":"Bob Smith","familyName":"Smith","givenName":"Bob"},"roles":[],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Engineering"}}`
	u := f.scim("POST", "/Users", body, 201)
	id := str(u, "id")
	if str(u, "userName") != "Bob@contoso.onmicrosoft.com" || str(u, "emails.0.value") != "bob@contoso.com" || str(u, "displayName") != "Bob Smith" {
		t.Fatalf("created = %v", u)
	}
	byExt := "/Users?filter=" + url.QueryEscape(`externalId eq "bob"`)
	if got := f.scim("GET", byExt, "", 200); got["totalResults"] != 1.0 {
		t.Fatalf("by externalId = %v", got)
	}
	if got := f.scim("GET", "/Users?filter="+url.QueryEscape(`externalId eq "BOB"`), "", 200); got["totalResults"] != 0.0 {
		t.Fatalf("externalId is case-exact, yet %v", got)
	}
	ops := `{` + patchOp + `,"Operations":[
		{"op":"Replace","path":"displayName","value":"Robert Smith"},
		{"op":"Add","path":"emails[type eq \"work\"].value","value":"robert@contoso.com"},
		{"op":"Replace","path":"name.givenName","value":"Robert"},
		{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"},
		{"op":"Replace","path":"externalId","value":"robert"}]}`
	u = f.scim("PATCH", "/Users/"+id, ops, 200)
	if str(u, "displayName") != "Robert Smith" || str(u, "emails.0.value") != "robert@contoso.com" ||
		str(u, "name.givenName") != "Robert" || str(u, "externalId") != "robert" || str(u, "userName") != "Bob@contoso.onmicrosoft.com" {
		t.Fatalf("after PATCH = %v", u)
	}
	key := f.apiKey("robert@contoso.com")
	f.other.expectMe(key, 200)
	f.scim("PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, 200)
	f.other.expectMe(key, 401)
	got := f.scim("GET", "/Users?filter="+url.QueryEscape(`active eq false and userName sw "bob@"`), "", 200)
	if got["totalResults"] != 1.0 || ids(got)[0] != id {
		t.Fatalf("inactive users = %v", got)
	}
}

// TestDeprovisionedWithin60s is the contract: a user the identity provider
// de-provisions stops authenticating on every replica within 60 seconds.
// Replicas keep no cache of users or keys, so it is at once.
func TestDeprovisionedWithin60s(t *testing.T) { onBothStores(t, testDeprovisionedWithin60s) }

func testDeprovisionedWithin60s(t *testing.T, f *fixture) {
	u := f.scim("POST", "/Users", `{"userName":"carol@example.com"}`, 201)
	key := f.apiKey("carol@example.com")
	f.other.expectMe(key, 200)
	start := time.Now()
	f.scim("DELETE", "/Users/"+str(u, "id"), "", 204)
	deadline := start.Add(60 * time.Second)
	for {
		code, _ := f.other.call(key, "GET", "/v1/me", "")
		if code == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deleted user's key still works after 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("refused only after %v", d)
	}
}

func TestPagination(t *testing.T) { onBothStores(t, testPagination) }

func testPagination(t *testing.T, f *fixture) {
	for i := range 5 {
		f.scim("POST", "/Users", fmt.Sprintf(`{"userName":"u%d@example.com"}`, i), 201)
	}
	seen := map[string]bool{}
	for start := 1; start <= 7; start += 2 {
		page := f.scim("GET", fmt.Sprintf("/Users?startIndex=%d&count=2", start), "", 200)
		if page["totalResults"] != 6.0 || page["startIndex"] != float64(start) {
			t.Fatalf("page at %d = %v", start, page)
		}
		for _, id := range ids(page) {
			if seen[id] {
				t.Fatalf("%s on two pages", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != 6 {
		t.Fatalf("pages visited %d users, want 6", len(seen))
	}
	if page := f.scim("GET", "/Users?count=0", "", 200); page["totalResults"] != 6.0 || len(ids(page)) != 0 {
		t.Fatalf("count=0 = %v", page)
	}
	if page := f.scim("GET", "/Users?attributes=userName", "", 200); str(page, "Resources.0.emails") != "" || str(page, "Resources.0.userName") == "" {
		t.Fatalf("attributes=userName = %v", page)
	}
}

// TestLastAdministrator: provisioning cannot lock the organisation out.
func TestLastAdministrator(t *testing.T) {
	f := newFixture(t, sqliteDB)
	list := f.scim("GET", "/Users?filter="+url.QueryEscape(`userName eq "admin@example.com"`), "", 200)
	id := ids(list)[0]
	f.scim("PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[{"op":"replace","path":"active","value":false}]}`, 409)
	f.scim("DELETE", "/Users/"+id, "", 409)
	f.expectMe(f.admin, 200)
}
