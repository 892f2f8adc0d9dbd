package scim_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// members returns the ids of a group's members.
func members(g map[string]any) []string {
	var out []string
	list, _ := g["members"].([]any)
	for _, m := range list {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	slices.Sort(out)
	return out
}

// TestGroups provisions a group and changes its members with the requests
// Okta and Entra ID send.
func TestGroups(t *testing.T) { onBothStores(t, testGroups) }

func testGroups(t *testing.T, f *fixture) {
	var u [3]string
	for i, name := range []string{"u1@example.com", "u2@example.com", "u3@example.com"} {
		u[i] = str(f.scim("POST", "/Users", `{"userName":"`+name+`"}`, 201), "id")
	}
	g := f.scim("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName":"Engineering Team","externalId":"00g1","members":[{"value":"`+u[0]+`","display":"u1@example.com"}]}`, 201)
	gid := str(g, "id")
	if str(g, "displayName") != "Engineering Team" || !slices.Equal(members(g), []string{u[0]}) {
		t.Fatalf("created = %v", g)
	}
	// The qdev name administrators use is derived from the display name.
	code, groups := f.call(f.admin, "GET", "/v1/groups", "")
	if code != 200 || !strings.Contains(str(groups, "items"), `"name":"Engineering-Team"`) {
		t.Fatalf("admin group list = %d %v", code, groups)
	}
	f.scim("POST", "/Groups", `{"displayName":"engineering team"}`, 409)

	// Okta: add, then remove with a value filter.
	f.scim("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"add","path":"members","value":[{"value":"`+u[1]+`","display":"u2@example.com"}]}]}`, 204)
	f.scim("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"remove","path":"members[value eq \"`+u[0]+`\"]"}]}`, 204)
	// Entra ID: capitalised, and remove by value list.
	f.scim("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"Add","path":"members","value":[{"value":"`+u[2]+`"}]},
		{"op":"Remove","path":"members","value":[{"value":"`+u[1]+`"}]}]}`, 204)
	if g := f.other.scimCall(f.token, "GET", "/Groups/"+gid, "", 200); !slices.Equal(members(g), []string{u[2]}) {
		t.Fatalf("members after patches = %v", members(g))
	}
	// Removing a non-member is no error: the provider's view holds.
	f.scim("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"remove","path":"members[value eq \"`+u[0]+`\"]"}]}`, 204)

	// Entra ID checks membership with a filter, without the members.
	q := "/Groups?filter=" + url.QueryEscape(`id eq "`+gid+`" and members eq "`+u[2]+`"`) + "&excludedAttributes=members"
	if got := f.scim("GET", q, "", 200); got["totalResults"] != 1.0 || strings.Contains(str(got, "Resources"), "members") {
		t.Fatalf("membership check = %v", got)
	}
	q = "/Groups?filter=" + url.QueryEscape(`id eq "`+gid+`" and members eq "`+u[0]+`"`)
	if got := f.scim("GET", q, "", 200); got["totalResults"] != 0.0 {
		t.Fatalf("non-member check = %v", got)
	}
	if got := f.scim("GET", "/Groups?filter="+url.QueryEscape(`displayName eq "ENGINEERING team"`), "", 200); got["totalResults"] != 1.0 {
		t.Fatalf("by display name = %v", got)
	}
	if user := f.scim("GET", "/Users/"+u[2], "", 200); str(user, "groups.0.value") != gid || str(user, "groups.0.display") != "Engineering Team" {
		t.Fatalf("the member's groups = %v", user["groups"])
	}

	// Okta renames with a replace without path.
	f.scim("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"replace","value":{"id":"`+gid+`","displayName":"Platform"}}]}`, 204)
	_, groups = f.call(f.admin, "GET", "/v1/groups", "")
	if !strings.Contains(str(groups, "items"), `"name":"Platform"`) {
		t.Fatalf("after rename: %v", groups)
	}

	g = f.scim("PUT", "/Groups/"+gid, `{"displayName":"Platform","members":[{"value":"`+u[0]+`"},{"value":"`+u[1]+`"}]}`, 200)
	if want := []string{u[0], u[1]}; !slices.Equal(members(g), sorted(want)) || str(g, "externalId") != "" {
		t.Fatalf("after PUT = %v", g)
	}
	if v := f.scim("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"add","path":"members","value":[{"value":"usr_nobody"}]}]}`, 400); v["scimType"] != "invalidValue" {
		t.Fatalf("unknown member = %v", v)
	}
	if g := f.scim("GET", "/Groups/"+gid, "", 200); len(members(g)) != 2 {
		t.Fatalf("a failed patch changed the members: %v", members(g))
	}
	f.scim("DELETE", "/Groups/"+gid, "", 204)
	f.scim("GET", "/Groups/"+gid, "", 404)
	if user := f.scim("GET", "/Users/"+u[0], "", 200); user["groups"] != nil {
		t.Fatalf("a deleted group is still listed: %v", user["groups"])
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestGroupPatchIsAtomic: two replicas patching one group at once lose
// neither change.
func TestGroupPatchIsAtomic(t *testing.T) { onBothStores(t, testGroupPatchIsAtomic) }

func testGroupPatchIsAtomic(t *testing.T, f *fixture) {
	var ids []string
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		ids = append(ids, str(f.scim("POST", "/Users", `{"userName":"`+n+`@example.com"}`, 201), "id"))
	}
	gid := str(f.scim("POST", "/Groups", `{"displayName":"g"}`, 201), "id")
	done := make(chan struct{})
	for i, id := range ids {
		r := []*replica{f.replica, f.other}[i%2]
		go func() {
			defer func() { done <- struct{}{} }()
			b, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": id}}}}})
			if code, v := r.call(f.token, "PATCH", "/scim/v2/Groups/"+gid, string(b)); code != 204 {
				t.Errorf("concurrent patch = %d %v", code, v)
			}
		}()
	}
	for range ids {
		<-done
	}
	if g := f.scim("GET", "/Groups/"+gid, "", 200); !slices.Equal(members(g), sorted(ids)) {
		t.Fatalf("members = %v, want all of %v", members(g), ids)
	}
}
