package server

import (
	"net/http"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
)

// maxKeyDays bounds expires_in_days: ten years.
const maxKeyDays = 3650

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	var email string
	if u := r.URL.Query().Get("user"); u != "" {
		if email, err = checkEmail("user", u); err != nil {
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
// Only its hash is stored.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.CreateKey
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	email, err := checkEmail("user", req.User)
	if err != nil {
		return err
	}
	if err := checkName("name", req.Name); err != nil {
		return err
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > maxKeyDays {
		return invalid("expires_in_days", "expected 0 (never) to 3650 days")
	}
	var expires *time.Time
	if req.ExpiresInDays > 0 {
		t := s.now().UTC().Add(time.Duration(req.ExpiresInDays) * 24 * time.Hour).Truncate(time.Millisecond)
		expires = &t
	}
	key := apikey.New()
	k, err := s.store.CreateAPIKey(r.Context(), email, req.Name, apikey.Store(key), expires)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adminapi.CreatedKey{APIKey: k, Key: key})
	return nil
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	email, err := checkEmail("user", r.PathValue("user"))
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIKey(r.Context(), email, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
