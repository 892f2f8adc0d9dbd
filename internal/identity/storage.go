package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/qdev/qdev/internal/serverstore"
)

// storage is the op library's view of the store (op.Storage and
// op.DeviceAuthorizationStorage). It holds nothing itself.
type storage struct {
	p *Provider
}

func (s *storage) st() *serverstore.Store { return s.p.store }

// Prefixes of the ids of stored tokens; the revocation endpoint tells an
// access token's id from a refresh token's by them.
const (
	accessIDPrefix  = "at_"
	refreshIDPrefix = "rt_"
)

// randomToken returns a new secret for a client to hold: 256 random bits.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateAuthRequest stores a request /authorize validated. Only S256 PKCE
// is accepted, and q (a public client) must use it.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	if req.ResponseMode != "" && req.ResponseMode != oidc.ResponseModeQuery {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_mode query is supported")
	}
	params := authParams{RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce, Scopes: req.Scopes,
		ResponseType: req.ResponseType, ResponseMode: req.ResponseMode,
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: req.CodeChallengeMethod}
	b, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	now := s.p.now()
	r := serverstore.AuthRequest{ID: "ar_" + randomToken(), ClientID: req.ClientID, Request: b,
		CreatedAt: now, ExpiresAt: now.Add(authRequestLifetime)}
	if err := s.st().CreateAuthRequest(ctx, r); err != nil {
		return nil, err
	}
	return &authRequest{id: r.ID, clientID: r.ClientID, authParams: params}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.st().AuthRequestByID(ctx, id, s.p.now())
	if err != nil {
		return nil, err
	}
	return newAuthRequest(r)
}

// AuthRequestByCode spends the code: a second exchange finds nothing.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.st().ConsumeAuthCode(ctx, code, s.p.now())
	if err != nil {
		return nil, err
	}
	return newAuthRequest(r)
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.st().SaveAuthCode(ctx, id, code)
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.st().DeleteAuthRequest(ctx, id)
}

// grantOf reads who and what a token request is for, refusing a user who
// has been disabled or deleted since they approved it.
func (s *storage) grantOf(ctx context.Context, req op.TokenRequest) (serverstore.TokenGrant, error) {
	r, ok := req.(op.IDTokenRequest)
	if !ok {
		return serverstore.TokenGrant{}, oidc.ErrUnsupportedGrantType()
	}
	u, err := s.st().UserByID(ctx, r.GetSubject())
	if errors.Is(err, serverstore.ErrNotFound) || (err == nil && u.Disabled) {
		return serverstore.TokenGrant{}, oidc.ErrAccessDenied().WithDescription("the account is disabled")
	}
	if err != nil {
		return serverstore.TokenGrant{}, err
	}
	return serverstore.TokenGrant{UserID: u.ID, ClientID: r.GetClientID(), Scopes: r.GetScopes(),
		AMR: r.GetAMR(), AuthTime: r.GetAuthTime()}, nil
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := s.grantOf(ctx, req)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.p.now()
	iss := serverstore.TokenIssue{AccessTokenID: accessIDPrefix + randomToken(), AccessExpires: now.Add(AccessTokenLifetime), Grant: g}
	if err := s.st().IssueTokens(ctx, iss, now); err != nil {
		return "", time.Time{}, err
	}
	return iss.AccessTokenID, iss.AccessExpires, nil
}

// CreateAccessAndRefreshTokens issues both; with currentRefreshToken it
// rotates that token, which must not have been used before.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	g, err := s.grantOf(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	now := s.p.now()
	iss := serverstore.TokenIssue{AccessTokenID: accessIDPrefix + randomToken(), AccessExpires: now.Add(AccessTokenLifetime),
		Refresh: randomToken(), Rotate: currentRefreshToken, Grant: g, RefreshIdle: RefreshIdle, RefreshMax: RefreshMax}
	if err := s.st().IssueTokens(ctx, iss, now); err != nil {
		if errors.Is(err, serverstore.ErrNotFound) {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("the refresh token is no longer valid")
		}
		return "", "", time.Time{}, err
	}
	return iss.AccessTokenID, iss.Refresh, iss.AccessExpires, nil
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	rt, err := s.st().RefreshTokenByToken(ctx, token, s.p.now())
	if errors.Is(err, serverstore.ErrTokenReused) {
		s.p.log.Warn("a used refresh token was presented again; its session is revoked")
	}
	if err != nil {
		return nil, err
	}
	return &refreshRequest{RefreshToken: rt, scopes: rt.Scopes}, nil
}

// TerminateSession, for the end_session endpoint, ends nothing: its proof
// is an ID token hint, which may be old and is no secret, so it must not
// let anyone end another person's sessions. q signs out by revoking its
// refresh token.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// GetRefreshTokenInfo finds the refresh token token of the client, for
// revocation.
func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	id, userID, owner, err := s.st().RefreshTokenID(ctx, token)
	if errors.Is(err, serverstore.ErrNotFound) || (err == nil && owner != clientID) {
		return "", "", op.ErrInvalidRefreshToken
	}
	if err != nil {
		return "", "", err
	}
	return userID, id, nil
}

// RevokeToken revokes a token whose holder proved possession of it: then
// userID is set and tokenOrID is the id of an access or refresh token.
// Without a userID the library could not recognise the token, and it is
// only revoked if it is a refresh token: an id is never enough. Unknown
// tokens are not an error (RFC 7009, section 2.2).
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	var err error
	switch {
	case userID != "" && strings.HasPrefix(tokenOrID, refreshIDPrefix):
		err = s.st().RevokeRefreshToken(ctx, tokenOrID, userID, clientID)
	case userID != "" && strings.HasPrefix(tokenOrID, accessIDPrefix):
		err = s.st().RevokeAccessToken(ctx, tokenOrID, userID, clientID)
	default:
		var id, owner, client string
		if id, owner, client, err = s.st().RefreshTokenID(ctx, tokenOrID); err == nil && client == clientID {
			err = s.st().RevokeRefreshToken(ctx, id, owner, clientID)
		}
	}
	if err != nil && !errors.Is(err, serverstore.ErrNotFound) {
		s.p.log.Error("revoking a token", "err", err)
		return oidc.ErrServerError()
	}
	return nil
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	return s.p.keys.signing(ctx)
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) { return s.p.keys.published(ctx) }

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	return clientByID(id)
}

// AuthorizeClientIDSecret refuses: no client has a secret.
func (s *storage) AuthorizeClientIDSecret(context.Context, string, string) error {
	return errUnknownClient()
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.userinfo(ctx, info, req.GetSubject(), scopes)
}

// SetUserinfoFromToken answers /userinfo for a valid access token.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	u, err := s.st().AccessTokenUser(ctx, tokenID, s.p.now())
	if err != nil || u.ID != subject {
		return oidc.ErrAccessDenied().WithDescription("the access token is not valid")
	}
	return s.userinfo(ctx, info, subject, supportedScopes)
}

func (s *storage) userinfo(ctx context.Context, info *oidc.UserInfo, userID string, scopes []string) error {
	u, err := s.st().UserByID(ctx, userID)
	if err != nil {
		return err
	}
	info.Subject = u.ID
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(true)
		case oidc.ScopeProfile:
			info.Name = u.Name
		}
	}
	return nil
}

// SetIntrospectionFromToken refuses: introspection needs a client that can
// authenticate, and q cannot.
func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errUnknownClient()
}

// GetPrivateClaimsFromScopes adds the user's email to access tokens, so a
// token names its user to whoever reads it.
func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, _ string, _ []string) (map[string]any, error) {
	u, err := s.st().UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"email": u.Email}, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnknownClient()
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnknownClient()
}

func (s *storage) Health(ctx context.Context) error { return s.st().Ping(ctx) }

// StoreDeviceAuthorization starts a device grant. Its expiry is reckoned
// on the provider's clock, which every other check of it uses.
func (s *storage) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, _ time.Time, scopes []string) error {
	now := s.p.now()
	err := s.st().CreateDeviceGrant(ctx, deviceCode, userCode, clientID, scopes, now, now.Add(deviceLifetime))
	if errors.Is(err, serverstore.ErrExists) {
		return op.ErrDuplicateUserCode
	}
	return err
}

// GetDeviceAuthorizatonState answers a device's poll. An approval is
// handed out once; after that the device code is spent.
func (s *storage) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	g, err := s.st().PollDeviceGrant(ctx, clientID, deviceCode)
	if err != nil {
		return nil, err
	}
	if g.State == serverstore.DeviceIssued {
		return nil, fmt.Errorf("device code already used")
	}
	st := &op.DeviceAuthorizationState{ClientID: g.ClientID, Scopes: g.Scopes, Expires: g.ExpiresAt,
		Done: g.State == serverstore.DeviceApproved, Denied: g.State == serverstore.DeviceDenied, Subject: g.UserID}
	if g.AuthTime != nil {
		st.AuthTime = *g.AuthTime
	}
	return st, nil
}
