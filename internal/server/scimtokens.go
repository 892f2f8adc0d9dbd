package server

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/serverstore"
)

// SCIM tokens are what an identity provider provisions users with (see
// internal/scim). They have the form of API keys but live apart: a SCIM
// token is no API key and an API key no SCIM token.

func (s *Server) listSCIMTokens(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	tokens, err := s.store.ListSCIMTokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, adminapi.List[adminapi.SCIMToken]{Items: tokens})
	return nil
}

// createSCIMToken makes a token and returns it: the only time it is ever
// shown. Only its hash is stored.
func (s *Server) createSCIMToken(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	var req adminapi.CreateSCIMToken
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := checkName("name", req.Name); err != nil {
		return err
	}
	token := apikey.New()
	t, err := s.store.CreateSCIMToken(r.Context(), req.Name, apikey.Store(token))
	if err != nil {
		return err
	}
	s.log.Info("SCIM token created", "name", t.Name, "by", caller.Email)
	writeJSON(w, http.StatusCreated, adminapi.CreatedSCIMToken{SCIMToken: t, Token: token})
	return nil
}

func (s *Server) revokeSCIMToken(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	if err := s.store.RevokeSCIMToken(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	s.log.Info("SCIM token revoked", "name", r.PathValue("name"), "by", caller.Email)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
