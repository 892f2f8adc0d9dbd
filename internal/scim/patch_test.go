package scim

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

var sampleUser = serverstore.SCIMUser{ID: "usr_1", UserName: "Ann@corp.example", Email: "ann@example.com", ExternalID: "x1",
	Name: "Ann Lee", GivenName: "Ann", FamilyName: "Lee", Active: true, CreatedAt: time.Unix(0, 0)}

var sampleGroup = serverstore.SCIMGroup{ID: "grp_1", Name: "eng", DisplayName: "Eng", CreatedAt: time.Unix(0, 0),
	Members: []serverstore.Member{{ID: "usr_1"}, {ID: "usr_2"}}}

// patchUser applies a PatchOp body to sampleUser as the service does.
func patchUser(t *testing.T, ops string) (serverstore.SCIMUser, error) {
	t.Helper()
	obj, err := decodeObject([]byte(`{"Operations":` + ops + `}`))
	if err != nil {
		return serverstore.SCIMUser{}, err
	}
	parsed, err := parsePatch(obj)
	if err != nil {
		return serverstore.SCIMUser{}, err
	}
	res, err := toObject(userOut(sampleUser, "http://x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := applyPatch(res, parsed); err != nil {
		return serverstore.SCIMUser{}, err
	}
	return userIn(res)
}

func TestPatchUser(t *testing.T) {
	for _, tc := range []struct {
		ops  string
		want func(*serverstore.SCIMUser)
	}{
		{`[{"op":"replace","value":{"active":false}}]`, func(u *serverstore.SCIMUser) { u.Active = false }},
		{`[{"op":"Replace","path":"active","value":"False"}]`, func(u *serverstore.SCIMUser) { u.Active = false }},
		{`[{"op":"replace","value":{"name":{"givenName":"Anne"}}}]`, func(u *serverstore.SCIMUser) { u.GivenName = "Anne" }},
		{`[{"op":"add","value":{"name.familyName":"Li"}}]`, func(u *serverstore.SCIMUser) { u.FamilyName = "Li" }},
		{`[{"op":"remove","path":"externalId"}]`, func(u *serverstore.SCIMUser) { u.ExternalID = "" }},
		{`[{"op":"remove","path":"name.familyName"}]`, func(u *serverstore.SCIMUser) { u.FamilyName = "" }},
		{`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"ANN@new.example"}]`,
			func(u *serverstore.SCIMUser) { u.Email = "ann@new.example" }},
		// An added primary email displaces the old one.
		{`[{"op":"add","path":"emails","value":[{"value":"second@example.com","primary":true}]}]`,
			func(u *serverstore.SCIMUser) { u.Email = "second@example.com" }},
		// An added non-primary email does not.
		{`[{"op":"add","path":"emails","value":[{"value":"second@example.com","type":"home"}]}]`, func(*serverstore.SCIMUser) {}},
		// Entra ID adds a work email where none matches: made from the filter.
		{`[{"op":"remove","path":"emails"},{"op":"add","path":"emails[type eq \"work\"].value","value":"w@example.com"}]`,
			func(u *serverstore.SCIMUser) { u.Email = "w@example.com" }},
		{`[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m"}]`,
			func(*serverstore.SCIMUser) {}},
		{`[{"op":"replace","path":"id","value":"usr_other"},{"op":"replace","path":"groups","value":[]}]`, func(*serverstore.SCIMUser) {}},
		{`[{"op":"replace","path":"userName","value":"ann@example.com"}]`, func(u *serverstore.SCIMUser) { u.UserName = "ann@example.com" }},
	} {
		want := userInOf(t, sampleUser)
		tc.want(&want)
		got, err := patchUser(t, tc.ops)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", tc.ops, got, err, want)
		}
	}
}

// userInOf is what reading u back unchanged gives.
func userInOf(t *testing.T, u serverstore.SCIMUser) serverstore.SCIMUser {
	res, err := toObject(userOut(u, "http://x"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := userIn(res)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestPatchGroupMembers(t *testing.T) {
	for _, tc := range []struct {
		ops  string
		want []string
	}{
		{`[{"op":"add","path":"members","value":[{"value":"usr_3"}]}]`, []string{"usr_1", "usr_2", "usr_3"}},
		{`[{"op":"remove","path":"members[value eq \"usr_1\"]"}]`, []string{"usr_2"}},
		{`[{"op":"remove","path":"members[value eq \"usr_1\" or value eq \"usr_2\"]"}]`, nil},
		{`[{"op":"Remove","path":"members","value":[{"value":"usr_2"}]}]`, []string{"usr_1"}},
		{`[{"op":"remove","path":"members"}]`, nil},
		{`[{"op":"replace","path":"members","value":[{"value":"usr_9"}]}]`, []string{"usr_9"}},
		{`[{"op":"remove","path":"members[value eq \"usr_7\"]"}]`, []string{"usr_1", "usr_2"}},
	} {
		obj, err := decodeObject([]byte(`{"Operations":` + tc.ops + `}`))
		if err != nil {
			t.Fatal(err)
		}
		ops, err := parsePatch(obj)
		if err != nil {
			t.Fatalf("%s: %v", tc.ops, err)
		}
		res, _ := toObject(groupOut(sampleGroup, "http://x", true))
		if err := applyPatch(res, ops); err != nil {
			t.Fatalf("%s: %v", tc.ops, err)
		}
		g, err := groupIn(res)
		if err != nil {
			t.Fatalf("%s: %v", tc.ops, err)
		}
		var got []string
		for _, m := range g.Members {
			got = append(got, m.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: members %v, want %v", tc.ops, got, tc.want)
		}
	}
}

// FuzzRequestBodies feeds arbitrary bodies to every reader of request
// JSON: a user, a group, and a PATCH applied to a user and a group. Each
// returns a value or a SCIM error (400 or filter error), never panics, and
// what it accepts is a valid resource.
func FuzzRequestBodies(f *testing.F) {
	for _, s := range []string{
		`{"userName":"a@b.c","emails":[{"value":"x@y.z","primary":"True"}],"name":{"givenName":"A"}}`,
		`{"displayName":"g","members":[{"value":"usr_1"}]}`,
		`{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"q@r.s"}]}`,
		`{"Operations":[{"op":"remove","path":"members[value eq \"usr_1\"]"},{"op":"replace","value":{"displayName":"h"}}]}`,
		`{"Operations":[{"op":"Remove","path":"members","value":[{"value":["x"]}]}]}`,
		`{"a":{"b":[{"c":null}]},"A":1}`, `[]`, `{`, `{"userName":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := decodeObject(body)
		if err != nil {
			checkSCIMError(t, body, err)
			return
		}
		if u, err := userIn(obj); err != nil {
			checkSCIMError(t, body, err)
		} else if _, err := serverstore.NormalizeEmail(u.Email); err != nil || u.UserName == "" {
			t.Fatalf("%q: accepted user %+v", body, u)
		}
		if _, err := groupIn(obj); err != nil {
			checkSCIMError(t, body, err)
		}
		ops, err := parsePatch(obj)
		if err != nil {
			checkSCIMError(t, body, err)
			return
		}
		res, _ := toObject(userOut(sampleUser, "http://x"))
		if err := applyPatch(res, ops); err != nil {
			checkSCIMError(t, body, err)
		} else if _, err := userIn(res); err != nil {
			checkSCIMError(t, body, err)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("%q: the patched user does not marshal: %v", body, err)
		}
		res, _ = toObject(groupOut(sampleGroup, "http://x", true))
		if err := applyPatch(res, ops); err != nil {
			checkSCIMError(t, body, err)
		} else if _, err := groupIn(res); err != nil {
			checkSCIMError(t, body, err)
		}
	})
}

func checkSCIMError(t *testing.T, body []byte, err error) {
	t.Helper()
	var se *scimError
	var fe *filterError
	if errors.As(err, &se) && se.status == 400 || errors.As(err, &fe) {
		return
	}
	t.Fatalf("%q: %v (%T)", body, err, err)
}
