package server

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/serverstore"
)

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	groups, err := s.store.ListGroups(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, listPage(groups, p, func(g serverstore.Group) string { return g.Name }))
	return nil
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.CreateGroup
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	g, err := s.admin.CreateGroup(r.Context(), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	return noContent(w, s.admin.DeleteGroup(r.Context(), r.PathValue("name")))
}

// addMembers and removeMembers read a Members body and change the group in
// the path: all members or none.
func (s *Server) addMembers(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.Members
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.admin.AddMembers(r.Context(), r.PathValue("name"), req.Emails))
}

func (s *Server) removeMembers(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	var req adminapi.Members
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.admin.RemoveMembers(r.Context(), r.PathValue("name"), req.Emails))
}
