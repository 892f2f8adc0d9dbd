package orgadmin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func newService(t *testing.T) (*Service, *serverstore.Store, serverstore.User) {
	st := storetest.Open(t, storetest.SQLite(t))
	admin, err := st.Initialise(context.Background(), "admin@example.com", apikey.Store(apikey.New()))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	return New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return now }), st, admin
}

// TestRefusalsNameTheField: every refusal of a bad value is a FieldError
// naming the field as the request calls it, and changes nothing.
func TestRefusalsNameTheField(t *testing.T) {
	s, st, admin := newService(t)
	ctx := context.Background()
	neg := int64(-1)
	for _, tc := range []struct {
		field string
		err   error
	}{
		{"email", func() error { _, err := s.CreateUser(ctx, adminapi.CreateUser{Email: "nope"}); return err }()},
		{"role", func() error {
			_, err := s.CreateUser(ctx, adminapi.CreateUser{Email: "a@example.com", Role: "root"})
			return err
		}()},
		{"password", func() error {
			_, err := s.CreateUser(ctx, adminapi.CreateUser{Email: "a@example.com", Password: "short"})
			return err
		}()},
		{"name", func() error { _, err := s.CreateGroup(ctx, "a b"); return err }()},
		{"emails", s.AddMembers(ctx, "eng", nil)},
		{"requests_per_day", func() error { _, err := s.SetTier(ctx, "T", adminapi.SetTier{RequestsPerDay: &neg}); return err }()},
		{"models", func() error { _, err := s.SetTier(ctx, "T", adminapi.SetTier{Models: []string{"a,b"}}); return err }()},
		{"group", s.Assign(ctx, adminapi.Assign{User: "admin@example.com", Group: "eng", Tier: "Pro"})},
		{"user", s.Assign(ctx, adminapi.Assign{Tier: "Pro"})},
		{"tier", func() error {
			_, err := s.Unassign(ctx, adminapi.Assign{User: "admin@example.com", Tier: "Pro"})
			return err
		}()},
		{"expires_in_days", func() error {
			_, err := s.CreateKey(ctx, adminapi.CreateKey{User: "admin@example.com", Name: "k", ExpiresInDays: MaxKeyDays + 1})
			return err
		}()},
	} {
		var fe *FieldError
		if !errors.As(tc.err, &fe) || fe.Field != tc.field || fe.Msg == "" {
			t.Errorf("want a refusal naming %s, got %v", tc.field, tc.err)
		}
	}
	if users, _ := st.ListUsers(ctx, serverstore.Page{}); len(users) != 1 || users[0].ID != admin.ID {
		t.Fatalf("refused changes left users behind: %+v", users)
	}
}

// TestOwnAccount: an administrator may disable and delete others, never
// themselves.
func TestOwnAccount(t *testing.T) {
	s, st, admin := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, adminapi.CreateUser{Email: "Bob@Example.com"}); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(context.Context, serverstore.User, string) error{s.DisableUser, s.DeleteUser} {
		if err := change(ctx, admin, "ADMIN@example.com"); !errors.Is(err, ErrOwnAccount) {
			t.Fatalf("changing one's own account: %v", err)
		}
	}
	if err := s.DisableUser(ctx, admin, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.UserByEmail(ctx, "bob@example.com"); !u.Disabled {
		t.Fatal("bob is not disabled")
	}
	if err := s.DeleteUser(ctx, admin, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if u, err := st.UserByEmail(ctx, "admin@example.com"); err != nil || u.Disabled {
		t.Fatalf("the administrator: %+v %v", u, err)
	}
}

// TestKeysAreShownOnce: a created key authenticates, expires when asked,
// and is not stored.
func TestKeysAreShownOnce(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	k, err := s.CreateKey(ctx, adminapi.CreateKey{User: "Admin@Example.com", Name: "ci", ExpiresInDays: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 12, 12, 0, 0, 0, time.UTC)
	if k.ExpiresAt == nil || !k.ExpiresAt.Equal(want) || k.User != "admin@example.com" {
		t.Fatalf("created key = %+v", k.APIKey)
	}
	if u, err := st.Authenticate(ctx, k.Key, want.Add(-time.Minute)); err != nil || u.Email != "admin@example.com" {
		t.Fatalf("the key before it expires: %v", err)
	}
	if _, err := st.Authenticate(ctx, k.Key, want.Add(time.Minute)); err == nil {
		t.Fatal("the key works after it expired")
	}
	if err := s.RevokeKey(ctx, "admin@example.com", "ci"); err != nil {
		t.Fatal(err)
	}
}
