package console

import (
	"net/http"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

// keysData is what the API keys page shows.
type keysData struct {
	User    string // the user the list is filtered to, if any
	Keys    []serverstore.APIKey
	Next    string
	Created *adminapi.CreatedKey // the key just made: shown this once
}

func (c *Console) keysPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	v := c.newView(w, r, u, "API keys", "keys")
	user := r.URL.Query().Get("user")
	if user != "" {
		var err error
		if user, err = orgadmin.CheckEmail("user", user); err != nil {
			c.fail(w, r, u, err)
			return
		}
	}
	c.showKeys(w, r, u, v, http.StatusOK, keysData{User: user})
}

func (c *Console) showKeys(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int, d keysData) {
	keys, err := c.store.ListAPIKeys(r.Context(), d.User, page(r))
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	d.Keys, d.Next = keys, nextAfter(keys, func(k serverstore.APIKey) string { return k.ID })
	v.Data = d
	c.render(w, status, "keys", v)
}

// createKey makes a key and shows it on the page it answers with: the only
// time it is ever shown, since only its hash is stored. The page is not a
// redirect's target, so that the key lives in no URL or history entry.
func (c *Console) createKey(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	v := c.newView(w, r, u, "API keys", "keys")
	days, err := number(r.PostForm, "expires_in_days")
	var created adminapi.CreatedKey
	if err == nil {
		if days < 0 || days > orgadmin.MaxKeyDays {
			days = -1 // out of range, and refused below by the API's own rule
		}
		created, err = c.admin.CreateKey(r.Context(), adminapi.CreateKey{User: field(r, "user"), Name: field(r, "name"),
			ExpiresInDays: int(days)})
	}
	if err != nil {
		v.Form = kept(r)
		status := c.refused(r, v, err)
		c.showKeys(w, r, u, v, status, keysData{})
		return
	}
	v.Notice = "The API key " + created.Name + " of " + created.User + " was created. Copy it now: it is not shown again."
	c.showKeys(w, r, u, v, http.StatusCreated, keysData{User: created.User, Created: &created})
}

func (c *Console) revokeKey(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	user, name := field(r, "user"), field(r, "name")
	if err := c.admin.RevokeKey(r.Context(), user, name); err != nil {
		v := c.newView(w, r, u, "API keys", "keys")
		status := c.refused(r, v, err)
		c.showKeys(w, r, u, v, status, keysData{})
		return
	}
	if field(r, "back") == "user" {
		done(w, r, userPath(user), "key-revoked")
		return
	}
	done(w, r, Prefix+"keys", "key-revoked")
}
