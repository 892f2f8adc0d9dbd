package adminclient

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/server"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

func TestListFollowsCursorsAndProblemsAreErrors(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, serverstore.Options{Dir: t.TempDir()})
	key := apikey.New()
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(key)); err != nil {
		t.Fatal(err)
	}
	for i := range 250 {
		if _, err := st.CreateUser(ctx, strings.Repeat("u", 1+i%7)+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@example.com", "", serverstore.RoleUser, nil); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer hs.Close()
	c, err := New(hs.URL, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := List[adminapi.User](ctx, c, "/v1/users?limit=100")
	if err != nil || len(users) != 251 {
		t.Fatalf("List = %d users, %v", len(users), err)
	}
	err = c.Do(ctx, http.MethodPost, "/v1/users", adminapi.CreateUser{Email: "bad"}, nil)
	var p *adminapi.Problem
	if !errors.As(err, &p) || p.Status != 400 || p.Field != "email" || !strings.HasPrefix(err.Error(), "email: ") {
		t.Fatalf("err = %v", err)
	}
	bad, _ := New(hs.URL, apikey.New(), nil)
	if err := bad.Do(ctx, http.MethodGet, "/v1/me", nil, nil); !errors.As(err, &p) || p.Status != 401 {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestNewNeedsServerAndKey(t *testing.T) {
	for _, tc := range []struct{ url, key, want string }{
		{"", "k", "QDEV_START_URL"},
		{"ftp://x", "k", "expected an http"},
		{"http://127.0.0.1:1", "", "QDEV_API_KEY"},
	} {
		if _, err := New(tc.url, tc.key, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, %q) = %v, want %q", tc.url, tc.key, err, tc.want)
		}
	}
}

func TestPathEscapes(t *testing.T) {
	if got := Path("v1", "keys", "a b@example.com", "x/y"); got != "/v1/keys/a%20b@example.com/x%2Fy" {
		t.Fatal(got)
	}
}
