package federation

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/qdev/qdev/internal/serverstore"
)

// ProviderConfig is one upstream identity provider as the server's
// configuration file describes it, under identity_providers:
//
//	{"name": "okta", "issuer": "https://example.okta.com",
//	 "client_id": "0oa…", "client_secret_env": "OKTA_SECRET",
//	 "groups_claim": "groups", "groups": {"Engineering": "eng"},
//	 "create_users": true}
type ProviderConfig struct {
	// Name names the provider in its URLs: /login/upstream/NAME.
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
	// ClientID and one of ClientSecret, ClientSecretFile (a file holding
	// it) and ClientSecretEnv (an environment variable holding it) are
	// the credentials the provider issued to this server.
	ClientID         string `json:"client_id"`
	ClientSecret     Secret `json:"client_secret,omitzero"`
	ClientSecretFile string `json:"client_secret_file,omitempty"`
	ClientSecretEnv  string `json:"client_secret_env,omitempty"`
	// Scopes are requested besides openid; default email and profile.
	Scopes []string `json:"scopes,omitempty"`
	// GroupsClaim is the ID token claim listing the user's groups at the
	// provider; default "groups".
	GroupsClaim string `json:"groups_claim,omitempty"`
	// Groups maps the provider's groups to qdev groups. The provider is
	// authoritative for the qdev groups named here: at each sign-in the
	// user is put in those their provider groups map to, and taken out
	// of the others.
	Groups map[string]string `json:"groups,omitempty"`
	// CreateUsers creates a user at the first sign-in of an email no user
	// has; otherwise only existing users may sign in.
	CreateUsers bool `json:"create_users,omitempty"`
	// RedirectURL is the callback URL registered at the provider, needed
	// when the server is reached through a proxy; default: the URL the
	// sign-in request came to, with /callback.
	RedirectURL string `json:"redirect_url,omitempty"`
}

// Secret is a client secret. It never shows: printing, logging or
// encoding it as JSON gives "[redacted]".
type Secret struct{ value string }

// NewSecret returns s as a Secret.
func NewSecret(s string) Secret { return Secret{s} }

// Reveal returns the secret itself, to send to the provider.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether there is no secret.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string { return "[redacted]" }

// GoString redacts %#v.
func (s Secret) GoString() string { return "[redacted]" }

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalJSON redacts the secret in JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// UnmarshalJSON reads the secret from a JSON string.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		// The decoder adds the field's name to this error.
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[string]()}
	}
	s.value = v
	return nil
}

// Provider is a validated provider configuration with its secret read.
type Provider struct {
	ProviderConfig
	// secret returns the client secret. A function, because fmt prints
	// an unexported field's contents without asking it to redact itself,
	// and a function's contents it cannot print.
	secret func() string
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Load validates the providers' configurations and reads their secrets,
// from files with readFile and from the environment with getenv. An error
// is one line naming the provider and the field, and never shows a secret.
func Load(cfgs []ProviderConfig, getenv func(string) string, readFile func(string) ([]byte, error)) ([]*Provider, error) {
	var out []*Provider
	seen := map[string]bool{}
	for i, c := range cfgs {
		at := fmt.Sprintf("identity_providers[%d]", i)
		if c.Name != "" {
			at += " (" + c.Name + ")"
		}
		p, err := load(c, getenv, readFile)
		if err != nil {
			return nil, fmt.Errorf("%s.%v", at, err)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("%s.name: %q is used twice", at, c.Name)
		}
		seen[c.Name] = true
		out = append(out, p)
	}
	return out, nil
}

func load(c ProviderConfig, getenv func(string) string, readFile func(string) ([]byte, error)) (*Provider, error) {
	if !nameRE.MatchString(c.Name) {
		return nil, fmt.Errorf("name: expected 1-32 lower-case letters, digits or '-'")
	}
	if err := checkURL(c.Issuer); err != nil {
		return nil, fmt.Errorf("issuer: %v", err)
	}
	if c.ClientID == "" {
		return nil, fmt.Errorf("client_id: required")
	}
	p := &Provider{ProviderConfig: c}
	given := 0
	secret := c.ClientSecret
	if !c.ClientSecret.IsZero() {
		given++
	}
	if c.ClientSecretFile != "" {
		given++
		b, err := readFile(c.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("client_secret_file: %v", err)
		}
		if secret = NewSecret(strings.TrimSpace(string(b))); secret.IsZero() {
			return nil, fmt.Errorf("client_secret_file: %s is empty", c.ClientSecretFile)
		}
	}
	if c.ClientSecretEnv != "" {
		given++
		if secret = NewSecret(getenv(c.ClientSecretEnv)); secret.IsZero() {
			return nil, fmt.Errorf("client_secret_env: $%s is not set", c.ClientSecretEnv)
		}
	}
	if given != 1 {
		return nil, fmt.Errorf("client_secret: give exactly one of client_secret, client_secret_file and client_secret_env")
	}
	p.ClientSecret = Secret{} // only p.secret holds it
	p.secret = secret.Reveal
	if p.GroupsClaim == "" {
		p.GroupsClaim = "groups"
	}
	if len(p.Scopes) == 0 {
		p.Scopes = []string{"email", "profile"}
	}
	p.Scopes = slices.DeleteFunc(slices.Clone(p.Scopes), func(s string) bool { return s == "openid" })
	for from, to := range p.Groups {
		if from == "" || !serverstore.NamePattern.MatchString(to) {
			return nil, fmt.Errorf("groups: %q → %q: expected a provider group and a qdev group name "+
				"(1-64 letters, digits, '.', '_', '+' or '-')", from, to)
		}
	}
	if p.RedirectURL != "" {
		if err := checkURL(p.RedirectURL); err != nil {
			return nil, fmt.Errorf("redirect_url: %v", err)
		}
	}
	return p, nil
}

// checkURL accepts https URLs, and http ones on a loopback host (for a
// provider on the same machine, as in tests).
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
	}
	return fmt.Errorf("%q: expected an https URL (http only on a loopback address)", s)
}

// managed returns the qdev groups p is authoritative for, and those of
// them the provider groups in claim map to.
func (p *Provider) managed(claim []string) (managed, want []string) {
	has := map[string]bool{}
	for _, g := range claim {
		has[g] = true
	}
	for from, to := range p.Groups {
		if !slices.Contains(managed, to) {
			managed = append(managed, to)
		}
		if has[from] && !slices.Contains(want, to) {
			want = append(want, to)
		}
	}
	slices.Sort(managed)
	slices.Sort(want)
	return managed, want
}
