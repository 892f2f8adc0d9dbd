package orgadmin

import (
	"context"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
)

// CreateKey makes an API key for the user req names and returns it with
// the key itself: the only time the key is ever shown, since only its hash
// is stored.
func (s *Service) CreateKey(ctx context.Context, req adminapi.CreateKey) (adminapi.CreatedKey, error) {
	email, err := CheckEmail("user", req.User)
	if err != nil {
		return adminapi.CreatedKey{}, err
	}
	if err := CheckName("name", req.Name); err != nil {
		return adminapi.CreatedKey{}, err
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > MaxKeyDays {
		return adminapi.CreatedKey{}, Invalid("expires_in_days", "expected 0 (never) to 3650 days")
	}
	var expires *time.Time
	if req.ExpiresInDays > 0 {
		t := s.now().UTC().Add(time.Duration(req.ExpiresInDays) * 24 * time.Hour).Truncate(time.Millisecond)
		expires = &t
	}
	key := apikey.New()
	k, err := s.store.CreateAPIKey(ctx, email, req.Name, apikey.Store(key), expires)
	if err != nil {
		return adminapi.CreatedKey{}, err
	}
	return adminapi.CreatedKey{APIKey: k, Key: key}, nil
}

// RevokeKey deletes the user's key called name: from the next request on
// it authenticates nothing.
func (s *Service) RevokeKey(ctx context.Context, user, name string) error {
	email, err := CheckEmail("user", user)
	if err != nil {
		return err
	}
	return s.store.RevokeAPIKey(ctx, email, name)
}

// CreateSCIMToken makes a token an identity provider provisions users with
// and returns it with the token itself, shown this once; only its hash is
// stored. The log names who made it, never the token.
func (s *Service) CreateSCIMToken(ctx context.Context, caller serverstore.User, name string) (adminapi.CreatedSCIMToken, error) {
	if err := CheckName("name", name); err != nil {
		return adminapi.CreatedSCIMToken{}, err
	}
	token := apikey.New()
	t, err := s.store.CreateSCIMToken(ctx, name, apikey.Store(token))
	if err != nil {
		return adminapi.CreatedSCIMToken{}, err
	}
	s.log.Info("SCIM token created", "name", t.Name, "by", caller.Email)
	return adminapi.CreatedSCIMToken{SCIMToken: t, Token: token}, nil
}

// RevokeSCIMToken deletes the SCIM token called name.
func (s *Service) RevokeSCIMToken(ctx context.Context, caller serverstore.User, name string) error {
	if err := s.store.RevokeSCIMToken(ctx, name); err != nil {
		return err
	}
	s.log.Info("SCIM token revoked", "name", name, "by", caller.Email)
	return nil
}
