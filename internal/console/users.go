package console

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

// usersData is what the users page lists.
type usersData struct {
	Users []serverstore.User
	Next  string // the after parameter of the next page, if any
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showUsers(w, r, u, c.newView(w, r, u, "Users", "users"), http.StatusOK)
}

func (c *Console) showUsers(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int) {
	users, err := c.store.ListUsers(r.Context(), page(r))
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	v.Data = usersData{Users: users, Next: nextAfter(users, func(u serverstore.User) string { return u.Email })}
	c.render(w, status, "users", v)
}

func (c *Console) createUser(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	created, err := c.admin.CreateUser(r.Context(), adminapi.CreateUser{Email: field(r, "email"), Name: field(r, "name"),
		Role: field(r, "role"), Groups: list(r, "groups"), Password: r.PostForm.Get("password")})
	if err != nil {
		v := c.newView(w, r, u, "Users", "users")
		v.Form = kept(r)
		c.showUsers(w, r, u, v, c.refused(r, v, err))
		return
	}
	done(w, r, userPath(created.Email), "user-created")
}

// userData is what a user's page shows.
type userData struct {
	User          serverstore.User
	Tier          string // the tier the user is entitled to now
	Status        string // their status in the subscription that gives it
	Subscriptions []serverstore.Subscription
	Keys          []serverstore.APIKey
	Self          bool // the page is the viewer's own
}

// loadUser reads what a user's page shows about the user with email.
func (c *Console) loadUser(r *http.Request, email string) (userData, error) {
	ctx := r.Context()
	u, err := c.store.UserByEmail(ctx, email)
	if err != nil {
		return userData{}, err
	}
	d := userData{User: u}
	tier, err := c.store.EffectiveTier(ctx, u.ID, c.now())
	if err != nil {
		return userData{}, err
	}
	d.Tier = tier.Name
	if d.Status, err = c.store.UserSubscriptionStatus(ctx, u.ID, c.now()); err != nil {
		return userData{}, err
	}
	if d.Subscriptions, err = c.store.SubscriptionsOf(ctx, u.ID, c.now()); err != nil {
		return userData{}, err
	}
	// A user has a handful of keys: the first page is all of them.
	d.Keys, err = c.store.ListAPIKeys(ctx, u.Email, serverstore.Page{Limit: 500})
	return d, err
}

func (c *Console) userPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showUser(w, r, u, c.newView(w, r, u, "User", "users"), http.StatusOK)
}

func (c *Console) showUser(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int) {
	email, err := orgadmin.CheckEmail("email", r.PathValue("email"))
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	d, err := c.loadUser(r, email)
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	d.Self = d.User.ID == u.ID
	v.Title = d.User.Email
	v.Data = d
	c.render(w, status, "user", v)
}

// mePage shows the signed-in user their own profile: the one page a user
// who is neither administrator nor auditor may see.
func (c *Console) mePage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	d, err := c.loadUser(r, u.Email)
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	d.Self = true
	v := c.newView(w, r, u, "Your profile", "")
	v.Data = d
	c.render(w, http.StatusOK, "me", v)
}

// userChange answers a change to the user in the path: back to their
// page, or to after when given, with the notice; the page again with the
// reason when it was refused.
func (c *Console) userChange(w http.ResponseWriter, r *http.Request, u serverstore.User, err error, after, notice string) {
	if err != nil {
		v := c.newView(w, r, u, "User", "users")
		// A user who is not there is a 404 page of its own.
		c.showUser(w, r, u, v, c.refused(r, v, err))
		return
	}
	if after == "" {
		after = userPath(r.PathValue("email"))
	}
	done(w, r, after, notice)
}

func (c *Console) setPassword(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	err := c.admin.SetPassword(r.Context(), r.PathValue("email"), r.PostForm.Get("password"))
	c.userChange(w, r, u, err, "", "password-set")
}

func (c *Console) disableUser(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	err := c.admin.DisableUser(r.Context(), u, r.PathValue("email"))
	c.userChange(w, r, u, err, "", "user-disabled")
}

func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	err := c.admin.DeleteUser(r.Context(), u, r.PathValue("email"))
	c.userChange(w, r, u, err, Prefix+"users", "user-deleted")
}
