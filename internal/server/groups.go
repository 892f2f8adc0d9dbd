package server

import (
	"context"
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
	if err := checkName("name", req.Name); err != nil {
		return err
	}
	g, err := s.store.CreateGroup(r.Context(), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	if err := s.store.DeleteGroup(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addMembers(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	return s.changeMembers(w, r, s.store.AddMembers)
}

func (s *Server) removeMembers(w http.ResponseWriter, r *http.Request, _ serverstore.User) error {
	return s.changeMembers(w, r, s.store.RemoveMembers)
}

// changeMembers reads a Members body and applies change to the group in
// the path, all members or none.
func (s *Server) changeMembers(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, group string, emails []string) error) error {
	var req adminapi.Members
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	if len(req.Emails) == 0 {
		return invalid("emails", "at least one email is required")
	}
	for i, e := range req.Emails {
		var err error
		if req.Emails[i], err = checkEmail("emails", e); err != nil {
			return err
		}
	}
	if err := change(r.Context(), r.PathValue("name"), req.Emails); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
