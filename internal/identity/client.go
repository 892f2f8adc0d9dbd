package identity

import (
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/qdev/qdev/internal/adminapi"
)

// supportedScopes are the scopes a client may ask for.
var supportedScopes = []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile, oidc.ScopeOfflineAccess}

// errUnknownClient answers a request naming a client that is not q: an
// OAuth invalid_client error, which the provider answers with a 4xx (any
// other error would be a 500, as if the server had failed). It is made
// anew each time because the provider's error values are changed in
// place as they are handled.
func errUnknownClient() error {
	return oidc.ErrInvalidClient().WithDescription("unknown client")
}

// cliClient is q itself: a public native client (it can keep no secret),
// so it must use PKCE, and it receives the authorization code on a loopback
// address on whatever port it listens (RFC 8252).
type cliClient struct{}

// clientByID returns the client with that id.
func clientByID(id string) (op.Client, error) {
	if id != adminapi.CLIClientID {
		return nil, errUnknownClient()
	}
	return cliClient{}, nil
}

func (cliClient) GetID() string { return adminapi.CLIClientID }

// RedirectURIs are loopback addresses: the port is ignored for them, the
// path must be this one.
func (cliClient) RedirectURIs() []string {
	return []string{"http://127.0.0.1/callback", "http://[::1]/callback"}
}

func (cliClient) PostLogoutRedirectURIs() []string { return nil }

func (cliClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }

func (cliClient) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodNone }

func (cliClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (cliClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode}
}

// LoginURL is where /authorize sends the browser: the page that signs the
// user in and asks them to approve.
func (cliClient) LoginURL(authRequestID string) string {
	return consentPath + "?id=" + url.QueryEscape(authRequestID)
}

func (cliClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

func (cliClient) IDTokenLifetime() time.Duration { return AccessTokenLifetime }

func (cliClient) DevMode() bool { return false }

func (cliClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (cliClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (cliClient) IsScopeAllowed(scope string) bool { return slices.Contains(supportedScopes, scope) }

func (cliClient) IDTokenUserinfoClaimsAssertion() bool { return false }

func (cliClient) ClockSkew() time.Duration { return 0 }
