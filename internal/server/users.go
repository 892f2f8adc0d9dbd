package server

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

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
	u, err := s.admin.CreateUser(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// setPassword sets the password the user signs in to the browser pages
// with. The password is never logged or returned; only its hash is kept.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	if _, err := orgadmin.CheckEmail("email", r.PathValue("email")); err != nil {
		return err
	}
	var req adminapi.SetPassword
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := s.admin.SetPassword(r.Context(), r.PathValue("email"), req.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	email, err := orgadmin.CheckEmail("email", r.PathValue("email"))
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
	return noContent(w, s.admin.DisableUser(r.Context(), caller, r.PathValue("email")))
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	return noContent(w, s.admin.DeleteUser(r.Context(), caller, r.PathValue("email")))
}

// noContent answers 204 when err is nil, and returns err.
func noContent(w http.ResponseWriter, err error) error {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
	}
	return err
}
