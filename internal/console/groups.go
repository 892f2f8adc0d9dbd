package console

import (
	"net/http"

	"github.com/qdev/qdev/internal/serverstore"
)

// groupsData is what the groups page lists.
type groupsData struct {
	Groups []serverstore.Group
	Next   string
}

func (c *Console) groupsPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showGroups(w, r, u, c.newView(w, r, u, "Groups", "groups"), http.StatusOK)
}

func (c *Console) showGroups(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int) {
	groups, err := c.store.ListGroups(r.Context(), page(r))
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	v.Data = groupsData{Groups: groups, Next: nextAfter(groups, func(g serverstore.Group) string { return g.Name })}
	c.render(w, status, "groups", v)
}

func (c *Console) createGroup(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	g, err := c.admin.CreateGroup(r.Context(), field(r, "name"))
	if err != nil {
		v := c.newView(w, r, u, "Groups", "groups")
		v.Form = kept(r)
		c.showGroups(w, r, u, v, c.refused(r, v, err))
		return
	}
	done(w, r, groupPath(g.Name), "group-created")
}

// groupData is what a group's page shows.
type groupData struct {
	Name    string
	Members []serverstore.User
	Next    string
}

func (c *Console) groupPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showGroup(w, r, u, c.newView(w, r, u, "Group", "groups"), http.StatusOK)
}

func (c *Console) showGroup(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int) {
	name := r.PathValue("name")
	members, err := c.store.GroupMembers(r.Context(), name, page(r))
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	v.Title = "Group " + name
	v.Data = groupData{Name: name, Members: members, Next: nextAfter(members, func(u serverstore.User) string { return u.Email })}
	c.render(w, status, "group", v)
}

// groupChange answers a change to the group in the path, as userChange
// does for users.
func (c *Console) groupChange(w http.ResponseWriter, r *http.Request, u serverstore.User, err error, after, notice string) {
	if err != nil {
		v := c.newView(w, r, u, "Group", "groups")
		v.Form = kept(r)
		// A group that is not there is a 404 page of its own.
		c.showGroup(w, r, u, v, c.refused(r, v, err))
		return
	}
	if after == "" {
		after = groupPath(r.PathValue("name"))
	}
	done(w, r, after, notice)
}

func (c *Console) addMembers(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	err := c.admin.AddMembers(r.Context(), r.PathValue("name"), list(r, "emails"))
	c.groupChange(w, r, u, err, "", "members-added")
}

func (c *Console) removeMembers(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	err := c.admin.RemoveMembers(r.Context(), r.PathValue("name"), list(r, "emails"))
	c.groupChange(w, r, u, err, "", "members-removed")
}

func (c *Console) deleteGroup(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	err := c.admin.DeleteGroup(r.Context(), r.PathValue("name"))
	c.groupChange(w, r, u, err, Prefix+"groups", "group-deleted")
}
