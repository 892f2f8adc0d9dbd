package server

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
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
// shown.
func (s *Server) createSCIMToken(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	var req adminapi.CreateSCIMToken
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	t, err := s.admin.CreateSCIMToken(r.Context(), caller, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) revokeSCIMToken(w http.ResponseWriter, r *http.Request, caller serverstore.User) error {
	return noContent(w, s.admin.RevokeSCIMToken(r.Context(), caller, r.PathValue("name")))
}
