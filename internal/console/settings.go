package console

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/scim"
	"github.com/qdev/qdev/internal/serverstore"
)

// settingsData is what the settings page shows. It is built field by
// field from the configuration, so that no secret (a provider's client
// secret, or where it is read from) can reach the page.
type settingsData struct {
	Created    time.Time
	PublicURL  string
	Providers  []providerView
	SCIMURL    string
	SCIMTokens []serverstore.SCIMToken
	NewToken   *adminapi.CreatedSCIMToken // the token just made: shown this once
}

// providerView is what the page says of an upstream identity provider.
type providerView struct {
	Name, Issuer, ClientID, GroupsClaim string
	Scopes                              []string
	Groups                              []groupMapping
	CreateUsers                         bool
	SignInPath                          string
}

type groupMapping struct{ From, To string }

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showSettings(w, r, u, c.newView(w, r, u, "Settings", "settings"), http.StatusOK, nil)
}

func (c *Console) showSettings(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int, created *adminapi.CreatedSCIMToken) {
	d := settingsData{PublicURL: c.publicURL, SCIMURL: scim.Prefix, NewToken: created}
	var err error
	if d.Created, err = c.store.OrgCreated(r.Context()); err != nil {
		c.fail(w, r, u, err)
		return
	}
	if d.SCIMTokens, err = c.store.ListSCIMTokens(r.Context()); err != nil {
		c.fail(w, r, u, err)
		return
	}
	for _, p := range c.providers {
		pv := providerView{Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, GroupsClaim: p.GroupsClaim,
			Scopes: p.Scopes, CreateUsers: p.CreateUsers, SignInPath: p.SignInPath()}
		for from, to := range p.Groups {
			pv.Groups = append(pv.Groups, groupMapping{from, to})
		}
		slices.SortFunc(pv.Groups, func(a, b groupMapping) int { return cmp.Compare(a.From, b.From) })
		d.Providers = append(d.Providers, pv)
	}
	v.Data = d
	c.render(w, status, "settings", v)
}

func (c *Console) createSCIMToken(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	v := c.newView(w, r, u, "Settings", "settings")
	t, err := c.admin.CreateSCIMToken(r.Context(), u, field(r, "name"))
	if err != nil {
		v.Form = kept(r)
		c.showSettings(w, r, u, v, c.refused(r, v, err), nil)
		return
	}
	v.Notice = "The SCIM token " + t.Name + " was created. Copy it now: it is not shown again."
	c.showSettings(w, r, u, v, http.StatusCreated, &t)
}

func (c *Console) revokeSCIMToken(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	if err := c.admin.RevokeSCIMToken(r.Context(), u, field(r, "name")); err != nil {
		v := c.newView(w, r, u, "Settings", "settings")
		c.showSettings(w, r, u, v, c.refused(r, v, err), nil)
		return
	}
	done(w, r, Prefix+"settings", "scim-revoked")
}
