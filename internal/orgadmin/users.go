package orgadmin

import (
	"context"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/serverstore"
)

// CreateUser adds the user req describes, with their password when it has
// one (kept only as a hash). Nothing is created when a field is invalid.
func (s *Service) CreateUser(ctx context.Context, req adminapi.CreateUser) (serverstore.User, error) {
	email, err := CheckEmail("email", req.Email)
	if err != nil {
		return serverstore.User{}, err
	}
	if len(req.Name) > 200 {
		return serverstore.User{}, Invalid("name", "longer than 200 characters")
	}
	role := serverstore.RoleUser
	if req.Role != "" {
		if role, err = serverstore.ParseRole(req.Role); err != nil {
			return serverstore.User{}, Invalid("role", err.Error())
		}
	}
	for _, g := range req.Groups {
		if err := CheckName("groups", g); err != nil {
			return serverstore.User{}, err
		}
	}
	if req.Password != "" {
		if err := identity.CheckPassword(req.Password); err != nil {
			return serverstore.User{}, Invalid("password", err.Error())
		}
	}
	u, err := s.store.CreateUser(ctx, email, req.Name, role, req.Groups)
	if err != nil {
		return serverstore.User{}, err
	}
	if req.Password != "" {
		if err := s.store.SetPassword(ctx, email, identity.HashPassword(req.Password), s.now()); err != nil {
			return serverstore.User{}, err
		}
	}
	return u, nil
}

// SetPassword sets the password the user signs in to the browser pages
// with. Only its hash is kept.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	email, err := CheckEmail("email", email)
	if err != nil {
		return err
	}
	if err := identity.CheckPassword(password); err != nil {
		return Invalid("password", err.Error())
	}
	return s.store.SetPassword(ctx, email, identity.HashPassword(password), s.now())
}

// DisableUser disables the user, on caller's behalf: their keys, tokens and
// sessions stop working at the next request.
func (s *Service) DisableUser(ctx context.Context, caller serverstore.User, email string) error {
	return s.changeUser(ctx, caller, email, s.store.DisableUser)
}

// DeleteUser deletes the user, on caller's behalf, with their keys,
// memberships and own subscription.
func (s *Service) DeleteUser(ctx context.Context, caller serverstore.User, email string) error {
	return s.changeUser(ctx, caller, email, s.store.DeleteUser)
}

// changeUser applies change to the user with email, unless that is the
// caller (ErrOwnAccount).
func (s *Service) changeUser(ctx context.Context, caller serverstore.User, email string,
	change func(context.Context, string) error) error {
	email, err := CheckEmail("email", email)
	if err != nil {
		return err
	}
	if email == caller.Email {
		return ErrOwnAccount
	}
	return change(ctx, email)
}
