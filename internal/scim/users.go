package scim

import (
	"net/http"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

// userResource is a user as SCIM shows it.
type userResource struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	ExternalID  string    `json:"externalId,omitempty"`
	UserName    string    `json:"userName"`
	Name        *nameAttr `json:"name,omitempty"`
	DisplayName string    `json:"displayName,omitempty"`
	Emails      []email   `json:"emails"`
	Active      bool      `json:"active"`
	Groups      []ref     `json:"groups,omitempty"`
	Meta        meta      `json:"meta"`
}

type nameAttr struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type email struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// ref is an element of a user's groups or a group's members.
type ref struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
	Ref     string `json:"$ref,omitempty"`
}

type meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created"`
	Location     string `json:"location"`
}

// userOut shows u; base is the endpoint's URL.
func userOut(u serverstore.SCIMUser, base string) userResource {
	res := userResource{
		Schemas: []string{userSchema}, ID: u.ID, ExternalID: u.ExternalID, UserName: u.UserName, DisplayName: u.Name,
		Emails: []email{{Value: u.Email, Type: "work", Primary: true}}, Active: u.Active,
		Meta: meta{ResourceType: "User", Created: u.CreatedAt.Format(time.RFC3339), Location: base + "/Users/" + u.ID},
	}
	if u.Name != "" || u.GivenName != "" || u.FamilyName != "" {
		res.Name = &nameAttr{Formatted: u.Name, GivenName: u.GivenName, FamilyName: u.FamilyName}
	}
	for _, g := range u.Groups {
		res.Groups = append(res.Groups, ref{Value: g.ID, Display: g.DisplayName, Ref: base + "/Groups/" + g.ID})
	}
	return res
}

// Limits on user attributes, in bytes.
const (
	maxUserName   = 254
	maxNameLen    = 200
	maxExternalID = 256
)

// userIn reads a user from a request body (or a patched resource) in the
// form decodeObject gives. The email is the primary email, else the work
// email, else the first, else the userName when it is an address. The
// display name is displayName, else name.formatted, else the given and
// family names. Attributes qdev does not keep are ignored.
func userIn(obj map[string]any) (serverstore.SCIMUser, error) {
	var u serverstore.SCIMUser
	var err error
	if u.UserName, err = getString(obj, "username", "userName", maxUserName); err != nil {
		return u, err
	}
	if strings.TrimSpace(u.UserName) == "" {
		return u, invalidValue("userName: required")
	}
	if u.ExternalID, err = getString(obj, "externalid", "externalId", maxExternalID); err != nil {
		return u, err
	}
	if u.Name, err = getString(obj, "displayname", "displayName", maxNameLen); err != nil {
		return u, err
	}
	name, err := getObject(obj, "name", "name")
	if err != nil {
		return u, err
	}
	formatted, err := getString(name, "formatted", "name.formatted", maxNameLen)
	if err != nil {
		return u, err
	}
	if u.GivenName, err = getString(name, "givenname", "name.givenName", maxNameLen); err != nil {
		return u, err
	}
	if u.FamilyName, err = getString(name, "familyname", "name.familyName", maxNameLen); err != nil {
		return u, err
	}
	if u.Name == "" {
		u.Name = formatted
	}
	if u.Name == "" {
		u.Name = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	}
	if u.Active, err = getBool(obj, "active", "active", true); err != nil {
		return u, err
	}
	if u.Email, err = chooseEmail(obj, u.UserName); err != nil {
		return u, err
	}
	return u, nil
}

// chooseEmail picks the user's email from emails, or the userName.
func chooseEmail(obj map[string]any, userName string) (string, error) {
	emails, err := getObjects(obj, "emails", "emails")
	if err != nil {
		return "", err
	}
	best, rank := "", 0
	for _, e := range emails {
		v, err := getString(e, "value", "emails.value", maxUserName)
		if err != nil {
			return "", err
		}
		primary, err := getBool(e, "primary", "emails.primary", false)
		if err != nil {
			return "", err
		}
		typ, err := getString(e, "type", "emails.type", 64)
		if err != nil {
			return "", err
		}
		r := 1
		switch {
		case v == "":
			continue
		case primary:
			r = 3
		case strings.EqualFold(typ, "work"):
			r = 2
		}
		if r > rank {
			best, rank = v, r
		}
	}
	if best == "" {
		if _, err := serverstore.NormalizeEmail(userName); err != nil {
			return "", invalidValue("emails: a user needs an email address, in emails or as the userName")
		}
		best = userName
	}
	e, err := serverstore.NormalizeEmail(best)
	if err != nil {
		return "", invalidValue("emails: " + err.Error())
	}
	return e, nil
}

func (s *Service) listUsers(w http.ResponseWriter, r *http.Request) error {
	q, err := listQueryOf(r, userCond)
	if err != nil {
		return err
	}
	users, total, err := s.store.FindSCIMUsers(r.Context(), q.cond, q.startIndex-1, q.count)
	if err != nil {
		return err
	}
	base := baseURL(r)
	return writePage(w, q, users, total, func(u serverstore.SCIMUser) any { return userOut(u, base) })
}

func (s *Service) createUser(w http.ResponseWriter, r *http.Request) error {
	obj, err := readObject(w, r)
	if err != nil {
		return err
	}
	in, err := userIn(obj)
	if err != nil {
		return err
	}
	u, err := s.store.CreateSCIMUser(r.Context(), in)
	if err != nil {
		return err
	}
	s.log.Info("SCIM: user created", "id", u.ID, "active", u.Active, "token", tokenName(r))
	res := userOut(u, baseURL(r))
	w.Header().Set("Location", res.Meta.Location)
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func (s *Service) getUser(w http.ResponseWriter, r *http.Request) error {
	q, err := projectionOf(r)
	if err != nil {
		return err
	}
	u, err := s.store.SCIMUserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := q.project(userOut(u, baseURL(r)))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// replaceUser is PUT: the user becomes what the body says; attributes it
// leaves out are cleared, and active defaults to true.
func (s *Service) replaceUser(w http.ResponseWriter, r *http.Request) error {
	obj, err := readObject(w, r)
	if err != nil {
		return err
	}
	in, err := userIn(obj)
	if err != nil {
		return err
	}
	return s.updateUser(w, r, func(u *serverstore.SCIMUser) error {
		setUser(u, in)
		return nil
	})
}

// patchUser is PATCH: the operations apply to the user as SCIM shows it,
// and the result is read back as a PUT body would be.
func (s *Service) patchUser(w http.ResponseWriter, r *http.Request) error {
	obj, err := readObject(w, r)
	if err != nil {
		return err
	}
	ops, err := parsePatch(obj)
	if err != nil {
		return err
	}
	base := baseURL(r)
	return s.updateUser(w, r, func(u *serverstore.SCIMUser) error {
		res, err := toObject(userOut(*u, base))
		if err != nil {
			return err
		}
		if err := applyPatch(res, ops); err != nil {
			return err
		}
		in, err := userIn(res)
		if err != nil {
			return err
		}
		setUser(u, in)
		return nil
	})
}

// setUser copies what a request may change from in to u.
func setUser(u *serverstore.SCIMUser, in serverstore.SCIMUser) {
	u.UserName, u.Email, u.ExternalID = in.UserName, in.Email, in.ExternalID
	u.Name, u.GivenName, u.FamilyName, u.Active = in.Name, in.GivenName, in.FamilyName, in.Active
}

func (s *Service) updateUser(w http.ResponseWriter, r *http.Request, change func(*serverstore.SCIMUser) error) error {
	id := r.PathValue("id")
	u, err := s.store.UpdateSCIMUser(r.Context(), id, change)
	if err != nil {
		return err
	}
	s.log.Info("SCIM: user updated", "id", id, "active", u.Active, "token", tokenName(r))
	writeJSON(w, http.StatusOK, userOut(u, baseURL(r)))
	return nil
}

// deleteUser removes the user, with their API keys: from the next request
// on, on every replica, nothing of theirs authenticates.
func (s *Service) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.DeleteUserByID(r.Context(), id); err != nil {
		return err
	}
	s.log.Info("SCIM: user deleted", "id", id, "token", tokenName(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
