package identity

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/serverstore"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h2 := HashPassword("correct horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horse ": false, "Correct horse": false, "": false} {
		if ok, err := VerifyPassword(h, pw); ok != want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	parts := strings.Split(h, "$")
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4000000,t=2,p=1$" + parts[4] + "$" + parts[5], // would cost 4 GB
		"$argon2id$v=19$m=19456,t=99,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5][:4],
	} {
		if ok, err := VerifyPassword(bad, "correct horse"); ok || err == nil {
			t.Errorf("VerifyPassword accepted the hash %q", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"1234567": false, "12345678": true, "ééééééé": false, "éééééééé": true,
		strings.Repeat("x", MaxPasswordLength): true, strings.Repeat("x", MaxPasswordLength+1): false,
		"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8": false,
	} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v", pw, err)
		}
	}
}

func TestNormalizeUserCode(t *testing.T) {
	for in, want := range map[string]string{
		"BCDF-GHJK": "BCDF-GHJK", "bcdfghjk": "BCDF-GHJK", " bcdf ghjk ": "BCDF-GHJK", "B-C-D-F-G-H-J-K": "BCDF-GHJK",
		"BCDF-GHJ": "", "BCDF-GHJKL": "", "ABCD-EFGH": "", "BCDF-GHJ1": "", "BCDF<GHJK": "", "": "",
	} {
		if got := NormalizeUserCode(in); got != want {
			t.Errorf("NormalizeUserCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/device?user_code=X": "/device?user_code=X", "/signin/consent?id=a": "/signin/consent?id=a",
		"": signInPath, "//evil.example/x": signInPath, "https://evil.example": signInPath, "/\\evil.example": signInPath,
		"javascript:alert(1)": signInPath, "device": signInPath, "/%2F/evil": "/%2F/evil",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzAuthenticate feeds arbitrary bearer tokens (outside input, from any
// client) to the access token check: nothing may panic, and nothing but a
// token the provider issued may pass.
func FuzzAuthenticate(f *testing.F) {
	st, err := serverstore.Open(context.Background(), serverstore.Options{Dir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	p, err := New(context.Background(), Config{Store: st, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJ4IiwianRpIjoiYXRfeCIsImV4cCI6OTk5OTk5OTk5OX0.c2ln")
	f.Add(strings.Repeat("ey.", 100))
	f.Fuzz(func(t *testing.T, tok string) {
		if _, err := p.Authenticate(context.Background(), tok); err == nil {
			t.Fatalf("accepted %q", tok)
		}
	})
}

// FuzzNormalizeUserCode: whatever is typed, the result is empty or a
// well-formed code, and normalising is idempotent.
func FuzzNormalizeUserCode(f *testing.F) {
	f.Add("bcdf-ghjk")
	f.Add("BCDF GHJK")
	f.Add("\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		got := NormalizeUserCode(s)
		if got == "" {
			return
		}
		if len(got) != 9 || got[4] != '-' || !utf8.ValidString(got) || NormalizeUserCode(got) != got {
			t.Fatalf("NormalizeUserCode(%q) = %q", s, got)
		}
	})
}
