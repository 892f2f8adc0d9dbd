package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/serverstore"
)

// subscriptionsData is what the subscriptions page lists.
type subscriptionsData struct {
	Subscriptions []serverstore.Subscription
	Next          string
	Tiers         []serverstore.Tier // to assign
}

func (c *Console) subscriptionsPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showSubscriptions(w, r, u, c.newView(w, r, u, "Subscriptions", "subscriptions"), http.StatusOK)
}

func (c *Console) showSubscriptions(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int) {
	subs, err := c.store.ListSubscriptions(r.Context(), page(r), c.now())
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	tiers, err := c.store.ListTiers(r.Context())
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	v.Data = subscriptionsData{Subscriptions: subs, Tiers: tiers,
		Next: nextAfter(subs, func(s serverstore.Subscription) string { return s.ID })}
	c.render(w, status, "subscriptions", v)
}

// assignment reads the user or group a subscription form names.
func assignment(r *http.Request) adminapi.Assign {
	return adminapi.Assign{User: field(r, "user"), Group: field(r, "group"), Tier: field(r, "tier")}
}

func (c *Console) assign(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	if err := c.admin.Assign(r.Context(), assignment(r)); err != nil {
		c.subscriptionRefused(w, r, u, err)
		return
	}
	done(w, r, Prefix+"subscriptions", "assigned")
}

func (c *Console) unassign(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	if _, err := c.admin.Unassign(r.Context(), assignment(r)); err != nil {
		c.subscriptionRefused(w, r, u, err)
		return
	}
	done(w, r, Prefix+"subscriptions", "unassigned")
}

func (c *Console) subscriptionRefused(w http.ResponseWriter, r *http.Request, u serverstore.User, err error) {
	v := c.newView(w, r, u, "Subscriptions", "subscriptions")
	v.Form = kept(r)
	c.showSubscriptions(w, r, u, v, c.refused(r, v, err))
}

func (c *Console) tiersPage(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	c.showTiers(w, r, u, c.newView(w, r, u, "Tiers", "tiers"), http.StatusOK)
}

func (c *Console) showTiers(w http.ResponseWriter, r *http.Request, u serverstore.User, v *view, status int) {
	tiers, err := c.store.ListTiers(r.Context())
	if err != nil {
		c.fail(w, r, u, err)
		return
	}
	v.Data = tiers
	c.render(w, status, "tiers", v)
}

// setTier creates or changes the tier the form names.
func (c *Console) setTier(w http.ResponseWriter, r *http.Request, u serverstore.User) {
	name, req, err := tierForm(r.PostForm)
	if err == nil {
		_, err = c.admin.SetTier(r.Context(), name, req)
	}
	if err != nil {
		v := c.newView(w, r, u, "Tiers", "tiers")
		v.Form = kept(r)
		c.showTiers(w, r, u, v, c.refused(r, v, err))
		return
	}
	done(w, r, Prefix+"tiers", "tier-set")
}

// tierForm reads the tier form into the API's request: empty quota fields
// mean no limit, as absent ones do in the API. A value that is not a
// number is refused naming its field.
func tierForm(form url.Values) (string, adminapi.SetTier, error) {
	req := adminapi.SetTier{Models: commaList(form, "models"), Features: commaList(form, "features")}
	var err error
	if req.Rank, err = number(form, "rank"); err != nil {
		return "", req, err
	}
	for _, q := range []struct {
		name string
		dst  **int64
	}{{"requests_per_day", &req.RequestsPerDay}, {"requests_per_month", &req.RequestsPerMonth}, {"tokens_per_month", &req.TokensPerMonth}} {
		if *q.dst, err = quota(form, q.name); err != nil {
			return "", req, err
		}
	}
	return strings.TrimSpace(form.Get("name")), req, nil
}
