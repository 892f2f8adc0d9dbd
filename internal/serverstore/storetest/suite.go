package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
)

// NewDB returns the Options of a fresh, empty database.
type NewDB func(t *testing.T) serverstore.Options

// Run runs the store suite; every subtest gets its own database from newDB.
// Each backend's test calls Run, so both behave alike.
func Run(t *testing.T, newDB NewDB) {
	tests := []struct {
		name string
		fn   func(*testing.T, NewDB)
	}{
		{"ConcurrentOpen", testConcurrentOpen},
		{"Initialise", testInitialise},
		{"Users", testUsers},
		{"Groups", testGroups},
		{"Tiers", testTiers},
		{"SubscriptionLifecycle", testSubscriptionLifecycle},
		{"APIKeys", testAPIKeys},
		{"LeaseContention", testLeaseContention},
		{"Federation", testFederation},
	}
	for _, tc := range append(tests, identityTests...) {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newDB) })
	}
}

// Open opens a store on opts, closing it when the test ends.
func Open(t testing.TB, opts serverstore.Options) *serverstore.Store {
	t.Helper()
	s, err := serverstore.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

// testConcurrentOpen starts several "replicas" on a fresh database at once:
// the migrations must run once, and every replica must come up.
func testConcurrentOpen(t *testing.T, newDB NewDB) {
	opts := newDB(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := serverstore.Open(context.Background(), opts)
			if err == nil {
				_, err = s.ListTiers(context.Background())
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	tiers, err := Open(t, opts).ListTiers(context.Background())
	must(t, err)
	if len(tiers) != 2 {
		t.Fatalf("tiers = %v, want Free and Pro once each", tiers)
	}
}

func testInitialise(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	ok, err := s.Initialised(ctx)
	must(t, err)
	if ok {
		t.Fatal("a new store says it is initialised")
	}
	_, err = s.OrgCreated(ctx)
	wantErr(t, err, serverstore.ErrNotInitialised)
	k1, k2 := apikey.New(), apikey.New()
	u, err := s.Initialise(ctx, "root@example.com", apikey.Store(k1))
	must(t, err)
	if created, err := s.OrgCreated(ctx); err != nil || time.Since(created) > time.Minute {
		t.Fatalf("OrgCreated = %v, %v", created, err)
	}
	if u.Role != serverstore.RoleAdmin {
		t.Fatalf("first user's role = %s", u.Role)
	}
	_, err = s.Initialise(ctx, "other@example.com", apikey.Store(k2))
	wantErr(t, err, serverstore.ErrAlreadyInitialised)
	got, err := s.Authenticate(ctx, k1, time.Now())
	must(t, err)
	if got.Email != "root@example.com" {
		t.Fatalf("Authenticate = %+v", got)
	}
	for _, k := range []string{k2, "qdev_x", k1[:len(k1)-1] + "x"} {
		_, err = s.Authenticate(ctx, k, time.Now())
		wantErr(t, err, serverstore.ErrNotFound)
	}
	// Same lookup prefix, different key: the hash decides.
	forged := k1[:len(apikey.Prefix)+12] + apikey.New()[len(apikey.Prefix)+12:]
	_, err = s.Authenticate(ctx, forged, time.Now())
	wantErr(t, err, serverstore.ErrNotFound)
}

func testUsers(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	_, err := s.CreateGroup(ctx, "eng")
	must(t, err)
	for i := range 5 {
		_, err := s.CreateUser(ctx, fmt.Sprintf("u%d@example.com", i), "U", serverstore.RoleUser, []string{"eng"})
		must(t, err)
	}
	_, err = s.CreateUser(ctx, "u1@example.com", "", serverstore.RoleUser, nil)
	wantErr(t, err, serverstore.ErrExists)
	_, err = s.CreateUser(ctx, "x@example.com", "", serverstore.RoleUser, []string{"nosuch"})
	wantErr(t, err, serverstore.ErrNotFound)
	if _, err := s.UserByEmail(ctx, "x@example.com"); !errors.Is(err, serverstore.ErrNotFound) {
		t.Fatal("a failed create left the user behind")
	}

	page1, err := s.ListUsers(ctx, serverstore.Page{Limit: 3})
	must(t, err)
	page2, err := s.ListUsers(ctx, serverstore.Page{After: page1[len(page1)-1].Email, Limit: 3})
	must(t, err)
	if len(page1) != 3 || len(page2) != 2 || page2[0].Email != "u3@example.com" {
		t.Fatalf("pages = %v / %v", page1, page2)
	}

	u, err := s.UserByEmail(ctx, "u2@example.com")
	must(t, err)
	if len(u.Groups) != 1 || u.Groups[0] != "eng" || u.Disabled {
		t.Fatalf("user = %+v", u)
	}
	key := apikey.New()
	_, err = s.CreateAPIKey(ctx, u.Email, "k", apikey.Store(key), nil)
	must(t, err)
	must(t, s.DisableUser(ctx, u.Email))
	_, err = s.Authenticate(ctx, key, time.Now())
	wantErr(t, err, serverstore.ErrNotFound)
	u, err = s.UserByEmail(ctx, "u2@example.com")
	must(t, err)
	if !u.Disabled {
		t.Fatal("user is not disabled")
	}
	must(t, s.DeleteUser(ctx, "u2@example.com"))
	wantErr(t, s.DeleteUser(ctx, "u2@example.com"), serverstore.ErrNotFound)
	wantErr(t, s.DisableUser(ctx, "u2@example.com"), serverstore.ErrNotFound)
}

func testGroups(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	for _, e := range []string{"a@example.com", "b@example.com"} {
		_, err := s.CreateUser(ctx, e, "", serverstore.RoleUser, nil)
		must(t, err)
	}
	_, err := s.CreateGroup(ctx, "eng")
	must(t, err)
	_, err = s.CreateGroup(ctx, "eng")
	wantErr(t, err, serverstore.ErrExists)
	must(t, s.AddMembers(ctx, "eng", []string{"a@example.com", "b@example.com"}))
	must(t, s.AddMembers(ctx, "eng", []string{"a@example.com"})) // idempotent
	wantErr(t, s.AddMembers(ctx, "eng", []string{"nobody@example.com"}), serverstore.ErrNotFound)
	wantErr(t, s.AddMembers(ctx, "ops", []string{"a@example.com"}), serverstore.ErrNotFound)
	gs, err := s.ListGroups(ctx, serverstore.Page{})
	must(t, err)
	if len(gs) != 1 || gs[0].Members != 2 {
		t.Fatalf("groups = %+v", gs)
	}
	members, err := s.GroupMembers(ctx, "eng", serverstore.Page{})
	must(t, err)
	if len(members) != 2 || members[0].Email != "a@example.com" || members[1].Email != "b@example.com" {
		t.Fatalf("members = %+v", members)
	}
	members, err = s.GroupMembers(ctx, "eng", serverstore.Page{After: "a@example.com", Limit: 1})
	must(t, err)
	if len(members) != 1 || members[0].Email != "b@example.com" {
		t.Fatalf("second page of members = %+v", members)
	}
	_, err = s.GroupMembers(ctx, "ops", serverstore.Page{})
	wantErr(t, err, serverstore.ErrNotFound)
	must(t, s.RemoveMembers(ctx, "eng", []string{"a@example.com"}))
	wantErr(t, s.RemoveMembers(ctx, "eng", []string{"a@example.com"}), serverstore.ErrNotFound)
	must(t, s.DeleteGroup(ctx, "eng"))
	u, err := s.UserByEmail(ctx, "b@example.com")
	must(t, err)
	if len(u.Groups) != 0 {
		t.Fatalf("deleted group still listed: %v", u.Groups)
	}
}

func testTiers(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	n := int64(1000)
	team, err := s.SetTier(ctx, serverstore.Tier{Name: "Team", RequestsPerDay: &n, Models: []string{"a", "b"}, Features: []string{"customizations"}})
	must(t, err)
	tiers, err := s.ListTiers(ctx)
	must(t, err)
	if len(tiers) != 3 || tiers[2].Name != "Team" || tiers[2].Rank <= tiers[1].Rank || tiers[2].Rank != team.Rank {
		t.Fatalf("tiers = %+v", tiers)
	}
	got := tiers[2]
	if *got.RequestsPerDay != 1000 || got.RequestsPerMonth != nil || len(got.Models) != 2 || got.Features[0] != "customizations" {
		t.Fatalf("Team = %+v", got)
	}
	again, err := s.SetTier(ctx, serverstore.Tier{Name: "Team"})
	must(t, err)
	if again.Rank != team.Rank {
		t.Fatalf("redefining a tier moved its rank: %d → %d", team.Rank, again.Rank)
	}
}

func testSubscriptionLifecycle(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	alice, err := s.CreateUser(ctx, "alice@example.com", "", serverstore.RoleUser, nil)
	must(t, err)
	_, err = s.CreateGroup(ctx, "eng")
	must(t, err)
	_, err = s.SetTier(ctx, serverstore.Tier{Name: "Max"})
	must(t, err)

	tierOf := func(at time.Time) string {
		t.Helper()
		tier, err := s.EffectiveTier(ctx, alice.ID, at)
		must(t, err)
		return tier.Name
	}
	status := func(at time.Time) map[string]string {
		t.Helper()
		subs, err := s.ListSubscriptions(ctx, serverstore.Page{}, at)
		must(t, err)
		m := map[string]string{}
		for _, sub := range subs {
			m[sub.User+sub.Group] = sub.Tier + " " + sub.Status
		}
		return m
	}
	if got := tierOf(now); got != "Free" {
		t.Fatalf("unsubscribed user's tier = %s", got)
	}
	wantErr(t, s.Assign(ctx, serverstore.Subject{User: alice.Email}, "Gold", now), serverstore.ErrNotFound)
	must(t, s.Assign(ctx, serverstore.Subject{User: alice.Email}, "Pro", now))
	if got := status(now)["alice@example.com"]; got != "Pro Pending" {
		t.Fatalf("after assign: %s", got)
	}
	must(t, s.RecordUse(ctx, alice.ID, now))
	must(t, s.RecordUse(ctx, alice.ID, now.Add(time.Hour)))
	if got := status(now)["alice@example.com"]; got != "Pro Active" {
		t.Fatalf("after use: %s", got)
	}

	// Groups disagree with the user's own tier: the highest wins.
	must(t, s.AddMembers(ctx, "eng", []string{alice.Email}))
	must(t, s.Assign(ctx, serverstore.Subject{Group: "eng"}, "Max", now))
	if got := tierOf(now); got != "Max" {
		t.Fatalf("tier with a Max group = %s", got)
	}
	if got := status(now)["eng"]; got != "Max Subscribed" {
		t.Fatalf("group subscription: %s", got)
	}
	// A user's page lists their own subscription and their groups'.
	mine, err := s.SubscriptionsOf(ctx, alice.ID, now)
	must(t, err)
	if len(mine) != 2 || mine[0].Tier+mine[1].Tier != "ProMax" && mine[0].Tier+mine[1].Tier != "MaxPro" {
		t.Fatalf("alice's subscriptions = %+v", mine)
	}
	bob, err := s.CreateUser(ctx, "bob@example.com", "", serverstore.RoleUser, nil)
	must(t, err)
	if none, err := s.SubscriptionsOf(ctx, bob.ID, now); err != nil || len(none) != 0 {
		t.Fatalf("bob's subscriptions = %+v, %v", none, err)
	}

	// An unused subscription ends at once; a used one at the period's end.
	sub, err := s.Unassign(ctx, serverstore.Subject{Group: "eng"}, now)
	must(t, err)
	if sub.Status != serverstore.StatusCanceled || tierOf(now.Add(time.Second)) != "Pro" {
		t.Fatalf("unused group subscription after unassign: %+v, tier %s", sub, tierOf(now))
	}
	sub, err = s.Unassign(ctx, serverstore.Subject{User: alice.Email}, now)
	must(t, err)
	end := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	if sub.Status != serverstore.StatusActive || sub.CancelAt == nil || !sub.CancelAt.Equal(end) {
		t.Fatalf("used subscription after unassign: %+v", sub)
	}
	if tierOf(end.Add(-time.Second)) != "Pro" || tierOf(end) != "Free" {
		t.Fatal("the canceled subscription does not last exactly to the end of the period")
	}
	if got := status(end)["alice@example.com"]; got != "Pro Canceled" {
		t.Fatalf("after the period: %s", got)
	}
	_, err = s.Unassign(ctx, serverstore.Subject{User: alice.Email}, end)
	wantErr(t, err, serverstore.ErrNotFound)

	// Subscribing again after the cancellation starts a new, pending one.
	must(t, s.Assign(ctx, serverstore.Subject{User: alice.Email}, "Pro", end))
	if got := status(end)["alice@example.com"]; got != "Pro Pending" {
		t.Fatalf("resubscribed: %s", got)
	}
}

func testAPIKeys(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	for _, e := range []string{"a@example.com", "b@example.com"} {
		_, err := s.CreateUser(ctx, e, "", serverstore.RoleUser, nil)
		must(t, err)
	}
	past := time.Now().Add(-time.Minute)
	ka, kb := apikey.New(), apikey.New()
	_, err := s.CreateAPIKey(ctx, "a@example.com", "laptop", apikey.Store(ka), nil)
	must(t, err)
	_, err = s.CreateAPIKey(ctx, "a@example.com", "laptop", apikey.Store(apikey.New()), nil)
	wantErr(t, err, serverstore.ErrExists)
	_, err = s.CreateAPIKey(ctx, "b@example.com", "old", apikey.Store(kb), &past)
	must(t, err)
	_, err = s.CreateAPIKey(ctx, "c@example.com", "x", apikey.Store(apikey.New()), nil)
	wantErr(t, err, serverstore.ErrNotFound)
	got, err := s.Authenticate(ctx, ka, time.Now())
	must(t, err)
	if got.Email != "a@example.com" {
		t.Fatalf("a's key authenticates %s", got.Email)
	}

	_, err = s.Authenticate(ctx, kb, time.Now())
	wantErr(t, err, serverstore.ErrNotFound) // expired
	all, err := s.ListAPIKeys(ctx, "", serverstore.Page{})
	must(t, err)
	mine, err := s.ListAPIKeys(ctx, "a@example.com", serverstore.Page{})
	must(t, err)
	if len(all) != 2 || len(mine) != 1 || mine[0].Name != "laptop" {
		t.Fatalf("all = %+v, mine = %+v", all, mine)
	}
	wantErr(t, s.RevokeAPIKey(ctx, "b@example.com", "laptop"), serverstore.ErrNotFound)
	must(t, s.RevokeAPIKey(ctx, "a@example.com", "laptop"))
	_, err = s.Authenticate(ctx, ka, time.Now())
	wantErr(t, err, serverstore.ErrNotFound)
}

// testLeaseContention has two replicas, each with its own connection to the
// database, contend for one lease: exactly one holds it at any time.
func testLeaseContention(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	opts := newDB(t)
	a, b := Open(t, opts), Open(t, opts)
	now := time.Now()
	const ttl = 30 * time.Second
	acquire := func(s *serverstore.Store, holder string, at time.Time) bool {
		t.Helper()
		ok, err := s.AcquireLease(ctx, "digest", holder, ttl, at)
		must(t, err)
		return ok
	}
	if !acquire(a, "A", now) || acquire(b, "B", now) {
		t.Fatal("first acquirer does not hold the lease alone")
	}
	if !acquire(a, "A", now.Add(ttl/2)) {
		t.Fatal("holder cannot renew")
	}
	if acquire(b, "B", now.Add(ttl)) {
		t.Fatal("B took a renewed lease before it expired")
	}
	if !acquire(b, "B", now.Add(ttl/2+ttl)) || acquire(a, "A", now.Add(ttl/2+ttl)) {
		t.Fatal("after expiry B does not hold the lease alone")
	}
	must(t, b.ReleaseLease(ctx, "digest", "B"))

	// Many contenders at the same instant: one winner.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		s := []*serverstore.Store{a, b}[i%2]
		wg.Go(func() {
			ok, err := s.AcquireLease(ctx, "report", fmt.Sprint("r", i), ttl, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d replicas hold the lease", wins.Load())
	}
}
