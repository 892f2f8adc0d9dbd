package scim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/apikey"
)

// TestAuthentication: only a SCIM token opens /scim/v2, on every path and
// method; an API key, even the administrator's, is no SCIM token, and a
// SCIM token is no API key. A revoked token stops at once on every replica.
func TestAuthentication(t *testing.T) { onBothStores(t, testAuthentication) }

func testAuthentication(t *testing.T, f *fixture) {
	paths := []string{"GET /Users", "POST /Users", "GET /Users/x", "PUT /Users/x", "PATCH /Users/x", "DELETE /Users/x",
		"GET /Groups", "POST /Groups", "GET /Groups/x", "PUT /Groups/x", "PATCH /Groups/x", "DELETE /Groups/x",
		"GET /ServiceProviderConfig", "GET /ResourceTypes", "GET /Schemas", "GET /nothing", "POST /Bulk"}
	for _, p := range paths {
		method, path, _ := strings.Cut(p, " ")
		for who, key := range map[string]string{"no token": "", "an API key": f.admin, "a malformed token": "nope",
			"an unknown token": apikey.New()} {
			code, v := f.call(key, method, "/scim/v2"+path, `{}`)
			if code != http.StatusUnauthorized {
				t.Errorf("%s with %s = %d %v, want 401", p, who, code, v)
				continue
			}
			checkError(t, v, 401)
		}
	}
	req, _ := http.NewRequest("GET", f.url+"/scim/v2/Users", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
	}
	f.expectMe(f.token, 401)

	f.scim("GET", "/nothing", "", 404)
	f.other.scimCall(f.token, "GET", "/Users", "", 200)
	if code, v := f.call(f.admin, "DELETE", "/v1/scim-tokens/okta", ""); code != 204 {
		t.Fatalf("revoke = %d %v", code, v)
	}
	f.other.scimCall(f.token, "GET", "/Users", "", 401)
}

// TestTokenAdministration creates, lists and revokes SCIM tokens through
// the admin API, which only administrators may change.
func TestTokenAdministration(t *testing.T) {
	f := newFixture(t, sqliteDB)
	code, created := f.call(f.admin, "POST", "/v1/scim-tokens", `{"name":"entra"}`)
	token := str(created, "token")
	if code != 201 || str(created, "name") != "entra" || token == "" {
		t.Fatalf("create = %d %v", code, created)
	}
	f.scimCall(token, "GET", "/Users", "", 200)
	if code, _ := f.call(f.admin, "POST", "/v1/scim-tokens", `{"name":"entra"}`); code != 409 {
		t.Fatalf("duplicate name = %d", code)
	}
	if code, _ := f.call(f.admin, "POST", "/v1/scim-tokens", `{"name":"a b"}`); code != 400 {
		t.Fatalf("bad name = %d", code)
	}
	code, list := f.call(f.admin, "GET", "/v1/scim-tokens", "")
	if code != 200 || !strings.Contains(str(list, "items"), `"entra"`) || strings.Contains(str(list, "items"), token) ||
		strings.Contains(str(list, "items"), apikey.Hash(token)) {
		t.Fatalf("list = %d %v", code, list)
	}
	// The SCIM token cannot administer anything, nor create tokens.
	if code, _ := f.call(token, "POST", "/v1/scim-tokens", `{"name":"x"}`); code != 401 {
		t.Fatalf("a SCIM token creating a token = %d", code)
	}
	for _, secret := range []string{token, apikey.Hash(token), f.token, apikey.Hash(f.token)} {
		if strings.Contains(f.logs.String(), secret) || strings.Contains(f.other.logs.String(), secret) {
			t.Fatal("a SCIM token or its hash is in the log")
		}
	}
}

// TestBadRequests: each malformed request is a 400 (or 413) in the SCIM
// error form naming what is wrong, and changes nothing.
func TestBadRequests(t *testing.T) {
	f := newFixture(t, sqliteDB)
	id := str(f.scim("POST", "/Users", `{"userName":"dave@example.com"}`, 201), "id")
	big := `{"userName":"e@example.com","displayName":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, tc := range []struct {
		method, path, body string
		status             int
		scimType, detail   string
	}{
		{"POST", "/Users", `{"userName":`, 400, "invalidSyntax", "malformed JSON"},
		{"POST", "/Users", `[]`, 400, "invalidSyntax", "a JSON object is required"},
		{"POST", "/Users", `{"userName":"a@example.com"} {}`, 400, "invalidSyntax", "unexpected data"},
		{"POST", "/Users", `{"userName":"a@example.com","UserName":"b@example.com"}`, 400, "invalidSyntax", "username is given twice"},
		{"POST", "/Users", `{"displayName":"x"}`, 400, "invalidValue", "userName: required"},
		{"POST", "/Users", `{"userName":5}`, 400, "invalidValue", "userName: expected a string"},
		{"POST", "/Users", `{"userName":"dave"}`, 400, "invalidValue", "emails: a user needs an email address"},
		{"POST", "/Users", `{"userName":"x","emails":[{"value":"not an address"}]}`, 400, "invalidValue", "emails:"},
		{"POST", "/Users", `{"userName":"a@example.com","active":"maybe"}`, 400, "invalidValue", "active: expected true or false"},
		{"POST", "/Users", `{"userName":"a@example.com","name":"A"}`, 400, "invalidValue", "name: expected an object"},
		{"POST", "/Users", `{"userName":"a\u0000@example.com"}`, 400, "invalidValue", "NUL"},
		{"POST", "/Users", big, 413, "", "larger than the limit"},
		{"GET", "/Users?filter=userName%20eq", "", 400, "invalidFilter", "expected a value"},
		{"GET", "/Users?filter=userName%20eq%20%22a", "", 400, "invalidFilter", "unterminated string"},
		{"GET", "/Users?filter=title%20eq%20%22x%22", "", 400, "invalidFilter", "filtering on title is not supported"},
		{"GET", "/Users?filter=userName%20gt%20%22a%22", "", 400, "invalidFilter", "not supported"},
		{"GET", "/Users?filter=active%20eq%20%22true%22", "", 400, "invalidFilter", "active compares with a boolean"},
		{"GET", "/Users?count=ten", "", 400, "invalidValue", "count"},
		{"PATCH", "/Users/" + id, `{"Operations":[]}`, 400, "invalidValue", "Operations"},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"move","path":"x"}]}`, 400, "invalidValue", "op: expected add, replace or remove"},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"remove"}]}`, 400, "noTarget", "remove needs a path"},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`, 400, "invalidFilter", ""},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","path":"userName","value":7}]}`, 400, "invalidValue", "userName: expected a string"},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","path":"emails[value co \"@\"].value","value":"bad"}]}`, 400, "invalidValue", "emails:"},
		{"PATCH", "/Users/" + id, `{"Operations":[{"op":"replace","value":"x"}]}`, 400, "invalidValue", "expected an object when there is no path"},
		{"PUT", "/Users/" + id, `{"userName":"dave@example.com","emails":[{"value":"admin@example.com"}]}`, 409, "uniqueness", ""},
		{"POST", "/Groups", `{"members":[]}`, 400, "invalidValue", "displayName: required"},
		{"POST", "/Groups", `{"displayName":"g","members":[{"value":"` + id + `","type":"Group"}]}`, 400, "invalidValue", "every member must be a user"},
		{"GET", "/Groups?filter=members%5Bvalue%20eq%20%22a%22%20and%20value%20eq%20%22b%22%5D", "", 400, "invalidFilter", "only comparisons joined by or"},
	} {
		code, v := f.call(f.token, tc.method, "/scim/v2"+tc.path, tc.body)
		if code != tc.status {
			t.Errorf("%s %s %.60s = %d %v, want %d", tc.method, tc.path, tc.body, code, v, tc.status)
			continue
		}
		checkError(t, v, tc.status)
		if v["scimType"] != nil && v["scimType"] != tc.scimType || v["scimType"] == nil && tc.scimType != "" ||
			!strings.Contains(str(v, "detail"), tc.detail) {
			t.Errorf("%s %s %.60s = %v, want scimType %q and detail with %q", tc.method, tc.path, tc.body, v, tc.scimType, tc.detail)
		}
	}
	if u := f.scim("GET", "/Users/"+id, "", 200); str(u, "emails.0.value") != "dave@example.com" || u["active"] != true {
		t.Fatalf("a bad request changed the user: %v", u)
	}
}

func TestDiscovery(t *testing.T) {
	f := newFixture(t, sqliteDB)
	cfg := f.scim("GET", "/ServiceProviderConfig", "", 200)
	if str(cfg, "patch.supported") != "true" || str(cfg, "filter.supported") != "true" || str(cfg, "bulk.supported") != "false" ||
		str(cfg, "authenticationSchemes.0.type") != "oauthbearertoken" {
		t.Fatalf("ServiceProviderConfig = %v", cfg)
	}
	types := f.scim("GET", "/ResourceTypes", "", 200)
	if got := ids(types); !slicesEqual(got, []string{"User", "Group"}) {
		t.Fatalf("ResourceTypes = %v", types)
	}
	f.scim("GET", "/ResourceTypes/User", "", 200)
	schemas := f.scim("GET", "/Schemas", "", 200)
	if len(ids(schemas)) != 2 {
		t.Fatalf("Schemas = %v", schemas)
	}
	if s := f.scim("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "", 200); str(s, "name") != "User" {
		t.Fatalf("User schema = %v", s)
	}
	f.scim("GET", "/Schemas/urn:nothing", "", 404)
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }
