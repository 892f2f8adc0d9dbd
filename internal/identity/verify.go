package identity

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/qdev/qdev/internal/serverstore"
)

// ErrInvalidToken covers every reason an access token is refused, so that
// the caller cannot tell an attacker which one applied.
var ErrInvalidToken = errors.New("invalid access token")

// maxTokenLength bounds what is parsed at all.
const maxTokenLength = 8 << 10

// accessClaims are the claims Authenticate reads.
type accessClaims struct {
	Subject string `json:"sub"`
	JWTID   string `json:"jti"`
	Expiry  int64  `json:"exp"`
}

// Authenticate returns the user an access token the provider issued names.
// The signature must verify with a published key, the token must not have
// expired, and its row must still be in the store, issued to that user,
// who must be enabled: revoking the token or disabling the user takes
// effect at once on every replica.
func (p *Provider) Authenticate(ctx context.Context, token string) (serverstore.User, error) {
	claims, err := p.verifySignature(ctx, token)
	if err != nil {
		return serverstore.User{}, ErrInvalidToken
	}
	if claims.Expiry <= p.now().Unix() || !strings.HasPrefix(claims.JWTID, accessIDPrefix) {
		return serverstore.User{}, ErrInvalidToken
	}
	u, err := p.store.AccessTokenUser(ctx, claims.JWTID, p.now())
	if errors.Is(err, serverstore.ErrNotFound) || (err == nil && u.ID != claims.Subject) {
		return serverstore.User{}, ErrInvalidToken
	}
	return u, err
}

// verifySignature checks that token is a compact JWS signed with RS256 by
// a published key, and returns its claims.
func (p *Provider) verifySignature(ctx context.Context, token string) (accessClaims, error) {
	if len(token) > maxTokenLength || strings.Count(token, ".") != 2 {
		return accessClaims{}, ErrInvalidToken
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return accessClaims{}, ErrInvalidToken
	}
	key, err := p.keys.byID(ctx, jws.Signatures[0].Header.KeyID)
	if err != nil {
		return accessClaims{}, err
	}
	payload, err := jws.Verify(&key.private.PublicKey)
	if err != nil {
		return accessClaims{}, ErrInvalidToken
	}
	var c accessClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return accessClaims{}, ErrInvalidToken
	}
	return c, nil
}
