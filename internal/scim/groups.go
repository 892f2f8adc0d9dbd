package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

// groupResource is a group as SCIM shows it. Members is nil when the
// request excluded them, and an empty list for a group without members.
type groupResource struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId,omitempty"`
	DisplayName string   `json:"displayName"`
	Members     *[]ref   `json:"members,omitempty"`
	Meta        meta     `json:"meta"`
}

// groupOut shows g; withMembers says whether its members were loaded.
func groupOut(g serverstore.SCIMGroup, base string, withMembers bool) groupResource {
	res := groupResource{
		Schemas: []string{groupSchema}, ID: g.ID, ExternalID: g.ExternalID, DisplayName: g.DisplayName,
		Meta: meta{ResourceType: "Group", Created: g.CreatedAt.Format(time.RFC3339), Location: base + "/Groups/" + g.ID},
	}
	if withMembers {
		members := make([]ref, len(g.Members))
		for i, m := range g.Members {
			members[i] = ref{Value: m.ID, Display: m.Display, Ref: base + "/Users/" + m.ID}
		}
		res.Members = &members
	}
	return res
}

// maxMembers bounds the members one request may give a group.
const maxMembers = 20000

// groupIn reads a group from a request body or a patched resource.
// Members are users, by id; other member types are refused.
func groupIn(obj map[string]any) (serverstore.SCIMGroup, error) {
	var g serverstore.SCIMGroup
	var err error
	if g.DisplayName, err = getString(obj, "displayname", "displayName", maxNameLen); err != nil {
		return g, err
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		return g, invalidValue("displayName: required")
	}
	if g.ExternalID, err = getString(obj, "externalid", "externalId", maxExternalID); err != nil {
		return g, err
	}
	members, err := getObjects(obj, "members", "members")
	if err != nil {
		return g, err
	}
	if len(members) > maxMembers {
		return g, invalidValue(fmt.Sprintf("members: more than %d", maxMembers))
	}
	for _, m := range members {
		id, err := getString(m, "value", "members.value", 64)
		if err != nil {
			return g, err
		}
		typ, err := getString(m, "type", "members.type", 64)
		if err != nil {
			return g, err
		}
		if id == "" || (typ != "" && !strings.EqualFold(typ, "User")) {
			return g, invalidValue("members: every member must be a user, named by its id in value")
		}
		g.Members = append(g.Members, serverstore.Member{ID: id})
	}
	return g, nil
}

func (s *Service) listGroups(w http.ResponseWriter, r *http.Request) error {
	q, err := listQueryOf(r, groupCond)
	if err != nil {
		return err
	}
	withMembers := q.shows("members")
	groups, total, err := s.store.FindSCIMGroups(r.Context(), q.cond, q.startIndex-1, q.count, withMembers)
	if err != nil {
		return err
	}
	base := baseURL(r)
	return writePage(w, q, groups, total, func(g serverstore.SCIMGroup) any { return groupOut(g, base, withMembers) })
}

func (s *Service) createGroup(w http.ResponseWriter, r *http.Request) error {
	obj, err := readObject(w, r)
	if err != nil {
		return err
	}
	in, err := groupIn(obj)
	if err != nil {
		return err
	}
	g, err := s.store.CreateSCIMGroup(r.Context(), in)
	if err != nil {
		return memberError(err)
	}
	s.log.Info("SCIM: group created", "id", g.ID, "name", g.Name, "members", len(g.Members), "token", tokenName(r))
	res := groupOut(g, baseURL(r), true)
	w.Header().Set("Location", res.Meta.Location)
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// memberError makes an unknown member a 400: the request named a user
// that does not exist, which is no missing endpoint.
func memberError(err error) error {
	var um *serverstore.UnknownMemberError
	if errors.As(err, &um) {
		return invalidValue(fmt.Sprintf("members: no user has the id %q", um.ID))
	}
	return err
}

func (s *Service) getGroup(w http.ResponseWriter, r *http.Request) error {
	q, err := projectionOf(r)
	if err != nil {
		return err
	}
	withMembers := q.shows("members")
	g, err := s.store.SCIMGroupByID(r.Context(), r.PathValue("id"), withMembers)
	if err != nil {
		return err
	}
	res, err := q.project(groupOut(g, baseURL(r), withMembers))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// replaceGroup is PUT: the group's name and members become the body's.
func (s *Service) replaceGroup(w http.ResponseWriter, r *http.Request) error {
	obj, err := readObject(w, r)
	if err != nil {
		return err
	}
	in, err := groupIn(obj)
	if err != nil {
		return err
	}
	if err := s.updateGroup(r, func(g *serverstore.SCIMGroup) error {
		g.DisplayName, g.ExternalID, g.Members = in.DisplayName, in.ExternalID, in.Members
		return nil
	}); err != nil {
		return err
	}
	return s.getGroup(w, r)
}

// patchGroup is PATCH, answered 204: a group's members can be many, and
// identity providers do not need them back.
func (s *Service) patchGroup(w http.ResponseWriter, r *http.Request) error {
	obj, err := readObject(w, r)
	if err != nil {
		return err
	}
	ops, err := parsePatch(obj)
	if err != nil {
		return err
	}
	base := baseURL(r)
	if err := s.updateGroup(r, func(g *serverstore.SCIMGroup) error {
		res, err := toObject(groupOut(*g, base, true))
		if err != nil {
			return err
		}
		if err := applyPatch(res, ops); err != nil {
			return err
		}
		in, err := groupIn(res)
		if err != nil {
			return err
		}
		g.DisplayName, g.ExternalID, g.Members = in.DisplayName, in.ExternalID, in.Members
		return nil
	}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) updateGroup(r *http.Request, change func(*serverstore.SCIMGroup) error) error {
	id := r.PathValue("id")
	var members int
	err := s.store.UpdateSCIMGroup(r.Context(), id, func(g *serverstore.SCIMGroup) error {
		err := change(g)
		members = len(g.Members)
		return err
	})
	if err != nil {
		return memberError(err)
	}
	s.log.Info("SCIM: group updated", "id", id, "members", members, "token", tokenName(r))
	return nil
}

func (s *Service) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.DeleteGroupByID(r.Context(), id); err != nil {
		return err
	}
	s.log.Info("SCIM: group deleted", "id", id, "token", tokenName(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
