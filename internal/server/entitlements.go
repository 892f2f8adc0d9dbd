package server

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/orgadmin"
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
	if err := orgadmin.CheckName("name", name); err != nil {
		return err
	}
	var req adminapi.SetTier
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	t, err := s.admin.SetTier(r.Context(), name, req)
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

func (s *Server) assign(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.Assign
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.admin.Assign(r.Context(), req))
}

func (s *Server) unassign(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.Assign
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	out, err := s.admin.Unassign(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}
