package scim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

// TestStoreAgreesWithMatch checks the store's compiled filters against the
// reference evaluator: for random filters over random users and groups,
// both stores select exactly the resources Match accepts.
func TestStoreAgreesWithMatch(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { testStoreAgreesWithMatch(t, storetest.Open(t, b.NewDB(t))) })
	}
}

// Values the random users are made of, and filters compare with: mixed
// case, non-ASCII letters (which compare exactly), prefixes of each other.
var (
	names  = []string{"Ann", "ann", "ANNA", "Élise", "élise", "Bob", "bo", "", "Zoë Ann", "o'Brien"}
	extIDs = []string{"", "X1", "x1", "X10", "ext-Ä"}
)

func testStoreAgreesWithMatch(t *testing.T, st *serverstore.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var users []serverstore.SCIMUser
	for i := range 14 {
		in := serverstore.SCIMUser{
			UserName: fmt.Sprintf("%s%d@Example.com", pick([]string{"u", "U", "ü", "Ann"}), i), Email: fmt.Sprintf("e%d@example.%s", i, pick([]string{"com", "org"})),
			ExternalID: pick(extIDs), Name: pick(names), GivenName: pick(names), FamilyName: pick(names), Active: rng.IntN(3) > 0,
		}
		if i%4 == 0 {
			in.UserName = in.Email
		}
		u, err := st.CreateSCIMUser(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	for i, n := range names[:6] {
		g := serverstore.SCIMGroup{DisplayName: fmt.Sprintf("%s %d", n, i), ExternalID: pick(extIDs)}
		for _, u := range users {
			if rng.IntN(3) == 0 {
				g.Members = append(g.Members, serverstore.Member{ID: u.ID})
			}
		}
		if _, err := st.CreateSCIMGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}

	// Resources as SCIM shows them, for Match.
	users, _, err := st.FindSCIMUsers(ctx, condTrue, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	userObjs := map[string]map[string]any{}
	for _, u := range users {
		userObjs[u.ID], _ = toObject(userOut(u, "http://x"))
	}
	groups, _, err := st.FindSCIMGroups(ctx, condTrue, 0, 100, true)
	if err != nil {
		t.Fatal(err)
	}
	groupObjs := map[string]map[string]any{}
	for _, g := range groups {
		groupObjs[g.ID], _ = toObject(groupOut(g, "http://x", true))
	}

	g := &filterGen{rng: rng, users: users, groups: groups}
	checked := 0
	for range 400 {
		forUsers := rng.IntN(3) > 0
		e := g.expr(forUsers, 0)
		text := Format(e)
		parsed, err := ParseFilter(text)
		if err != nil {
			t.Fatalf("%s does not parse: %v", text, err)
		}
		objs, toC := userObjs, userCond
		if !forUsers {
			objs, toC = groupObjs, groupCond
		}
		c, err := toC(parsed)
		if err != nil {
			continue // a combination the store does not support
		}
		var got []string
		if forUsers {
			found, _, err := st.FindSCIMUsers(ctx, c, 0, 100)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			for _, u := range found {
				got = append(got, u.ID)
			}
		} else {
			found, _, err := st.FindSCIMGroups(ctx, c, 0, 100, false)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			for _, g := range found {
				got = append(got, g.ID)
			}
		}
		var want []string
		for id, obj := range objs {
			if Match(parsed, obj, "") {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s\n store selects %v\n Match selects %v", text, got, want)
		}
		checked++
	}
	if checked < 250 {
		t.Fatalf("only %d of 400 filters were supported", checked)
	}
}

// filterGen makes random filters from the attributes the store supports
// and values close to the data.
type filterGen struct {
	rng    *rand.Rand
	users  []serverstore.SCIMUser
	groups []serverstore.SCIMGroup
}

func (g *filterGen) expr(users bool, depth int) Expr {
	if depth < 3 {
		switch g.rng.IntN(6) {
		case 0:
			return &And{g.expr(users, depth+1), g.expr(users, depth+1)}
		case 1:
			return &Or{g.expr(users, depth+1), g.expr(users, depth+1)}
		case 2:
			return &Not{g.expr(users, depth+1)}
		}
	}
	if !users {
		return g.groupTerm()
	}
	if g.rng.IntN(8) == 0 {
		return &ValuePath{Path{Attr: "emails"}, g.userTerm([]string{"value", "type", "primary"})}
	}
	return g.userTerm([]string{"id", "userName", "externalId", "displayName", "name.formatted", "name.givenName",
		"name.familyName", "emails", "emails.value", "emails.type", "emails.primary", "active"})
}

func (g *filterGen) userTerm(attrs []string) Expr {
	attr := attrs[g.rng.IntN(len(attrs))]
	u := g.users[g.rng.IntN(len(g.users))]
	var candidates []string
	switch strings.ToLower(strings.TrimPrefix(attr, "emails.")) {
	case "active", "primary":
		return g.boolTerm(attr)
	case "id":
		candidates = []string{u.ID, strings.ToUpper(u.ID)}
	case "username":
		candidates = []string{u.UserName}
	case "externalid":
		candidates = extIDs
	case "type":
		candidates = []string{"work", "WORK", "home"}
	case "emails", "value":
		candidates = []string{u.Email}
	default:
		candidates = names
	}
	return g.stringTerm(attr, candidates)
}

func (g *filterGen) groupTerm() Expr {
	grp := g.groups[g.rng.IntN(len(g.groups))]
	switch g.rng.IntN(4) {
	case 0:
		return g.stringTerm("displayName", []string{grp.DisplayName})
	case 1:
		return g.stringTerm("externalId", extIDs)
	case 2:
		return g.stringTerm("id", []string{grp.ID})
	}
	u := g.users[g.rng.IntN(len(g.users))]
	if g.rng.IntN(4) == 0 {
		return &Present{parsePathMust("members")}
	}
	return &Compare{parsePathMust([]string{"members", "members.value"}[g.rng.IntN(2)]), []string{"eq", "ne"}[g.rng.IntN(2)], Value{Kind: String, Str: u.ID}}
}

// stringTerm compares attr with a value made from one of candidates: as
// it is, in another case, or a part of it.
func (g *filterGen) stringTerm(attr string, candidates []string) Expr {
	p := parsePathMust(attr)
	if g.rng.IntN(8) == 0 {
		return &Present{p}
	}
	v := candidates[g.rng.IntN(len(candidates))]
	switch g.rng.IntN(5) {
	case 0:
		v = strings.ToUpper(v)
	case 1:
		v = strings.ToLower(v)
	case 2:
		if len(v) > 2 {
			i := g.rng.IntN(len(v) - 1)
			v = strings.ToValidUTF8(v[i:i+1+g.rng.IntN(len(v)-i)], "")
		}
	}
	ops := []string{"eq", "ne", "co", "sw", "ew"}
	return &Compare{p, ops[g.rng.IntN(len(ops))], Value{Kind: String, Str: v}}
}

func (g *filterGen) boolTerm(attr string) Expr {
	p := parsePathMust(attr)
	if g.rng.IntN(6) == 0 {
		return &Compare{p, "eq", Value{Kind: Null}}
	}
	return &Compare{p, []string{"eq", "ne"}[g.rng.IntN(2)], Value{Kind: Bool, Bool: g.rng.IntN(2) == 0}}
}

func parsePathMust(s string) Path {
	p, err := parsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}
