package identity

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/qdev/qdev/internal/serverstore"
)

// authParams are the parts of a validated authorization request kept in
// the store between /authorize and the token exchange.
type authParams struct {
	RedirectURI         string                   `json:"redirect_uri"`
	State               string                   `json:"state,omitempty"`
	Nonce               string                   `json:"nonce,omitempty"`
	Scopes              []string                 `json:"scopes"`
	ResponseType        oidc.ResponseType        `json:"response_type"`
	ResponseMode        oidc.ResponseMode        `json:"response_mode,omitempty"`
	CodeChallenge       string                   `json:"code_challenge"`
	CodeChallengeMethod oidc.CodeChallengeMethod `json:"code_challenge_method"`
}

// authRequest is a stored authorization request, as the op library sees
// it (op.AuthRequest).
type authRequest struct {
	id, clientID string
	authParams
	userID   string
	authTime time.Time
}

func newAuthRequest(r serverstore.AuthRequest) (*authRequest, error) {
	a := &authRequest{id: r.ID, clientID: r.ClientID, userID: r.UserID}
	if err := json.Unmarshal(r.Request, &a.authParams); err != nil {
		return nil, err
	}
	if r.AuthTime != nil {
		a.authTime = *r.AuthTime
	}
	return a, nil
}

func (a *authRequest) GetID() string          { return a.id }
func (a *authRequest) GetACR() string         { return "" }
func (a *authRequest) GetAMR() []string       { return nil }
func (a *authRequest) GetAudience() []string  { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }
func (a *authRequest) GetClientID() string    { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: a.CodeChallengeMethod}
}
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) GetSubject() string                 { return a.userID }
func (a *authRequest) Done() bool                         { return a.userID != "" }

// refreshRequest is a stored refresh token, as the op library sees it
// (op.RefreshTokenRequest).
type refreshRequest struct {
	serverstore.RefreshToken
	scopes []string
}

func (r *refreshRequest) GetAMR() []string            { return r.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = slices.Clone(s) }
