package server

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	var email string
	if u := r.URL.Query().Get("user"); u != "" {
		if email, err = orgadmin.CheckEmail("user", u); err != nil {
			return err
		}
	}
	keys, err := s.store.ListAPIKeys(r.Context(), email, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, listPage(keys, p, func(k serverstore.APIKey) string { return k.ID }))
	return nil
}

// createKey makes a key and returns it: the only time it is ever shown.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.CreateKey
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	k, err := s.admin.CreateKey(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	return noContent(w, s.admin.RevokeKey(r.Context(), r.PathValue("user"), r.PathValue("name")))
}
