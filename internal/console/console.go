// Package console is the organisation service's web console for
// administrators: server-rendered pages (html/template) for users, groups,
// subscriptions, tiers, API keys and the organisation's settings. Every page
// reads and every form works without JavaScript; htmx, vendored into the
// binary, only makes navigation swap the page body in place.
//
// People sign in on the identity provider's page and the console reads the
// same browser session and anti-forgery token. Administrators change
// things, auditors read, and anyone else sees only their own profile. The
// changes go through orgadmin, as the REST API's do, so that a rule holds
// whichever way a change is made.
package console

//go:generate sh vendor-htmx.sh

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/qdev/qdev/internal/federation"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/serverstore"
)

// Prefix is where the console is served.
const Prefix = "/console/"

// maxForm is the largest form body accepted; larger ones get 413. The
// largest form is a list of emails to add to a group.
const maxForm = 32 << 10

// Config configures a Console.
type Config struct {
	Store    *serverstore.Store
	Log      *slog.Logger
	Identity *identity.Provider
	// Providers are the upstream identity providers users sign in
	// through, shown on the settings page without their secrets.
	Providers []*federation.Provider
	// PublicURL is the URL the service is configured to be reached at, if
	// any, shown on the settings page.
	PublicURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Console serves the pages under Prefix.
type Console struct {
	store     *serverstore.Store
	log       *slog.Logger
	idp       *identity.Provider
	admin     *orgadmin.Service
	providers []*federation.Provider
	publicURL string
	now       func() time.Time
	pages     *pages
	mux       *http.ServeMux
}

// New returns the console. It fails only when its embedded templates do
// not parse.
func New(cfg Config) (*Console, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ps, err := loadPages()
	if err != nil {
		return nil, err
	}
	c := &Console{store: cfg.Store, log: cfg.Log, idp: cfg.Identity, admin: orgadmin.New(cfg.Store, cfg.Log, now),
		providers: cfg.Providers, publicURL: cfg.PublicURL, now: now, pages: ps, mux: http.NewServeMux()}
	c.mux.HandleFunc("GET "+Prefix+"static/{file}", c.static)
	xorigin := http.NewCrossOriginProtection()
	for _, rt := range c.routes() {
		h := c.guard(rt)
		if rt.method() == http.MethodPost {
			// Posts from another site are refused by their Origin and
			// Sec-Fetch-Site headers before the token is even read.
			h = xorigin.Handler(h)
		}
		c.mux.Handle(rt.pattern, h)
	}
	c.mux.HandleFunc(Prefix, c.notFound)
	return c, nil
}

// ServeHTTP serves the console's pages and static files.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mux.ServeHTTP(w, r)
}
