package server

import (
	"net/http"
	"strings"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/serverstore"
)

// listTiers returns every tier on one page: an organisation has few.
func (s *Server) listTiers(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	tiers, err := s.store.ListTiers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, adminapi.List[serverstore.Tier]{Items: tiers})
	return nil
}

func (s *Server) setTier(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	name := r.PathValue("name")
	if err := checkName("name", name); err != nil {
		return err
	}
	var req adminapi.SetTier
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	for field, v := range map[string]*int64{"requests_per_day": req.RequestsPerDay,
		"requests_per_month": req.RequestsPerMonth, "tokens_per_month": req.TokensPerMonth} {
		if v != nil && *v < 0 {
			return invalid(field, "must not be negative")
		}
	}
	if req.Rank < 0 {
		return invalid("rank", "must not be negative")
	}
	for field, list := range map[string][]string{"models": req.Models, "features": req.Features} {
		for _, v := range list {
			if v == "" || len(v) > 200 || strings.Contains(v, ",") {
				return invalid(field, "entries must be 1-200 characters without commas")
			}
		}
	}
	t, err := s.store.SetTier(r.Context(), serverstore.Tier{Name: name, Rank: req.Rank,
		RequestsPerDay: req.RequestsPerDay, RequestsPerMonth: req.RequestsPerMonth, TokensPerMonth: req.TokensPerMonth,
		Models: req.Models, Features: req.Features})
	if err != nil {
		return err
	}
	writeJSON(w, 200, t)
	return nil
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	subs, err := s.store.ListSubscriptions(r.Context(), p, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, 200, listPage(subs, p, func(s serverstore.Subscription) string { return s.ID }))
	return nil
}

// subject reads the user or group an Assign body names: exactly one.
func subject(req adminapi.Assign) (serverstore.Subject, error) {
	switch {
	case req.User != "" && req.Group != "":
		return serverstore.Subject{}, invalid("group", "give a user or a group, not both")
	case req.User != "":
		email, err := checkEmail("user", req.User)
		return serverstore.Subject{User: email}, err
	case req.Group != "":
		return serverstore.Subject{Group: req.Group}, checkName("group", req.Group)
	}
	return serverstore.Subject{}, invalid("user", "a user or a group is required")
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.Assign
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	sub, err := subject(req)
	if err != nil {
		return err
	}
	if err := checkName("tier", req.Tier); err != nil {
		return err
	}
	if err := s.store.Assign(r.Context(), sub, req.Tier, s.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) unassign(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.Assign
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if req.Tier != "" {
		return invalid("tier", "unassign takes no tier")
	}
	sub, err := subject(req)
	if err != nil {
		return err
	}
	out, err := s.store.Unassign(r.Context(), sub, s.now())
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}
