package server

import (
	"context"
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/serverstore"
)

func checkName(field, v string) error {
	if !serverstore.NamePattern.MatchString(v) {
		return invalid(field, "expected 1-64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit")
	}
	return nil
}

func checkEmail(field, v string) (string, error) {
	e, err := serverstore.NormalizeEmail(v)
	if err != nil {
		return "", invalid(field, err.Error())
	}
	return e, nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	u, err := s.store.UserByEmail(r.Context(), caller.Email)
	if err != nil {
		return err
	}
	tier, err := s.store.EffectiveTier(r.Context(), caller.ID, s.now())
	if err != nil {
		return err
	}
	status, err := s.store.UserSubscriptionStatus(r.Context(), caller.ID, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, 200, adminapi.Me{User: u, Tier: tier.Name, Status: status})
	return nil
}

// recordUse marks the caller as having used the service, which activates
// their pending subscriptions. The gateway will call the store directly;
// this route lets a client (and tests) do it until then.
func (s *Server) recordUse(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	if err := s.store.RecordUse(r.Context(), caller.ID, s.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	users, err := s.store.ListUsers(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, listPage(users, p, func(u serverstore.User) string { return u.Email }))
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.CreateUser
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	email, err := checkEmail("email", req.Email)
	if err != nil {
		return err
	}
	if len(req.Name) > 200 {
		return invalid("name", "longer than 200 characters")
	}
	role := serverstore.RoleUser
	if req.Role != "" {
		if role, err = serverstore.ParseRole(req.Role); err != nil {
			return invalid("role", err.Error())
		}
	}
	for _, g := range req.Groups {
		if err := checkName("groups", g); err != nil {
			return err
		}
	}
	if req.Password != "" {
		if err := identity.CheckPassword(req.Password); err != nil {
			return invalid("password", err.Error())
		}
	}
	u, err := s.store.CreateUser(r.Context(), email, req.Name, role, req.Groups)
	if err != nil {
		return err
	}
	if req.Password != "" {
		if err := s.store.SetPassword(r.Context(), email, identity.HashPassword(req.Password), s.now()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// setPassword sets the password the user signs in to the browser pages
// with. The password is never logged or returned; only its hash is kept.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	email, err := checkEmail("email", r.PathValue("email"))
	if err != nil {
		return err
	}
	var req adminapi.SetPassword
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := identity.CheckPassword(req.Password); err != nil {
		return invalid("password", err.Error())
	}
	if err := s.store.SetPassword(r.Context(), email, identity.HashPassword(req.Password), s.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	email, err := checkEmail("email", r.PathValue("email"))
	if err != nil {
		return err
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	writeJSON(w, 200, u)
	return nil
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	return s.changeUser(w, r, caller, s.store.DisableUser)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	return s.changeUser(w, r, caller, s.store.DeleteUser)
}

// changeUser applies change to the user in the path. Administrators cannot
// apply it to themselves, so that the last one cannot lock everyone out.
func (s *Server) changeUser(w http.ResponseWriter, r *http.Request, caller serverstore.User,
	change func(context.Context, string) error) error {
	email, err := checkEmail("email", r.PathValue("email"))
	if err != nil {
		return err
	}
	if email == caller.Email {
		return &statusError{http.StatusConflict, adminapi.TypeConflict, "you cannot disable or delete your own account"}
	}
	if err := change(r.Context(), email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
