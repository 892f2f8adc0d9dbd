package federation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// TestSecretNeverPrints: however a configuration is shown, printed,
// logged or encoded, its secret is not.
func TestSecretNeverPrints(t *testing.T) {
	const secret = "s3cr3t-value"
	var cfg ProviderConfig
	if err := json.Unmarshal([]byte(`{"name":"okta","issuer":"https://idp.example","client_id":"c","client_secret":"`+secret+`"}`), &cfg); err != nil {
		t.Fatal(err)
	}
	providers, err := Load([]ProviderConfig{cfg}, func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := providers[0]
	if p.secret() != secret || !p.ClientSecret.IsZero() {
		t.Fatalf("Load kept the secret in the wrong place")
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg, "provider", p, "secret", cfg.ClientSecret)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg, "provider", p)
	j, _ := json.Marshal(cfg)
	jp, _ := json.Marshal(p)
	for _, shown := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%+v", p),
		fmt.Sprintf("%v %s", cfg.ClientSecret, cfg.ClientSecret), string(j), string(jp), logs.String()} {
		if strings.Contains(shown, secret) {
			t.Fatalf("the secret shows: %s", shown)
		}
	}
}

func TestManagedGroups(t *testing.T) {
	p := &Provider{ProviderConfig: ProviderConfig{Groups: map[string]string{"Eng": "eng", "Engineering": "eng", "Ops": "ops"}}}
	managed, want := p.managed([]string{"Engineering", "Sales"})
	if !slices.Equal(managed, []string{"eng", "ops"}) || !slices.Equal(want, []string{"eng"}) {
		t.Fatalf("managed %v, want %v", managed, want)
	}
	if _, want := p.managed(nil); len(want) != 0 {
		t.Fatalf("no groups claim gives groups %v", want)
	}
}

func TestLocalPath(t *testing.T) {
	for s, ok := range map[string]bool{"/console": true, "/a?b=c": true, "": false, "//evil.example": false,
		"/\\evil.example": false, "https://evil.example": false, "console": false, "/a\nb": false} {
		if localPath(s) != ok {
			t.Errorf("localPath(%q) = %v", s, !ok)
		}
	}
}

func TestGroupsClaim(t *testing.T) {
	for _, tc := range []struct {
		claim any
		want  []string
		err   bool
	}{
		{[]any{"a", "b"}, []string{"a", "b"}, false},
		{"a", []string{"a"}, false},
		{nil, nil, true},
		{[]any{"a", 1.0}, nil, true},
		{map[string]any{}, nil, true},
	} {
		got, err := groupsClaim(map[string]any{"groups": tc.claim}, "groups")
		if !slices.Equal(got, tc.want) || (err != nil) != tc.err {
			t.Errorf("groupsClaim(%v) = %v, %v", tc.claim, got, err)
		}
	}
}
