// Package server is the organisation service's HTTP wiring: routes,
// authentication, authorisation and the JSON admin API over a
// serverstore.Store. It keeps no state between requests, so any number of
// replicas can serve one database. The identity provider's endpoints are
// mounted on the same mux, and pages that authenticate on their own (the
// web console, upstream sign-in) with Mount; the model gateway is to
// follow as further routes.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/orgadmin"
	"github.com/qdev/qdev/internal/scim"
	"github.com/qdev/qdev/internal/serverstore"
)

// Server serves the admin API.
type Server struct {
	store    *serverstore.Store
	log      *slog.Logger
	now      func() time.Time
	scim     *scim.Service
	admin    *orgadmin.Service
	identity *identity.Provider
	extra    []mount
}

// mount is a handler that authenticates on its own, such as sign-in pages.
type mount struct {
	pattern string
	h       http.Handler
}

// Mount serves h at pattern (a ServeMux pattern) beside the API. h does
// its own authentication: Mount is for browser pages, which sign people in
// (through an identity provider) or read the browser session (the web
// console) rather than take a key or token.
func (s *Server) Mount(pattern string, h http.Handler) {
	s.extra = append(s.extra, mount{pattern, h})
}

// Option configures a Server.
type Option func(*Server)

// WithIdentity mounts the identity provider p, whose access tokens the
// API then accepts beside API keys.
func WithIdentity(p *identity.Provider) Option {
	return func(s *Server) { s.identity = p }
}

// New returns a Server over store, logging to log.
func New(store *serverstore.Store, log *slog.Logger, opts ...Option) *Server {
	s := &Server{store: store, log: log, now: time.Now, scim: scim.New(store, log)}
	s.admin = orgadmin.New(store, log, func() time.Time { return s.now() })
	for _, o := range opts {
		o(s)
	}
	return s
}

// The roles a route admits, as orgadmin grants them.
const (
	anyone  = orgadmin.Anyone
	readers = orgadmin.Readers
	admins  = orgadmin.Admins
)

// handler is an authenticated route: caller is who made the request.
type handler func(w http.ResponseWriter, r *http.Request, caller serverstore.User) error

// Handler returns the service's routes. Only the health checks and the
// identity provider's endpoints (which authenticate in their own ways)
// answer without an access token or API key.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	mux.HandleFunc("GET /readyz", s.ready)
	// SCIM authenticates with its own tokens, and answers in its own error
	// form.
	mux.Handle(scim.Prefix+"/", s.scim)
	for _, m := range s.extra {
		mux.Handle(m.pattern, m.h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, &statusError{http.StatusNotFound, adminapi.TypeNotFound, "no such endpoint"})
	})
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.authorised(rt.access, rt.h))
	}
	if s.identity != nil {
		for _, rt := range s.identity.Routes() {
			mux.Handle(rt.Pattern, rt.Handler)
		}
	}
	return s.logged(mux)
}

// route is one authenticated endpoint.
type route struct {
	pattern string
	access  orgadmin.Access
	h       handler
}

// routes lists every authenticated endpoint. Tests walk this list, so an
// endpoint added here is checked for authentication and authorisation.
func (s *Server) routes() []route {
	return []route{
		{"GET /v1/me", anyone, s.me},
		{"POST /v1/me/use", anyone, s.recordUse},

		{"GET /v1/users", readers, s.listUsers},
		{"POST /v1/users", admins, s.createUser},
		{"GET /v1/users/{email}", readers, s.showUser},
		{"PUT /v1/users/{email}/password", admins, s.setPassword},
		{"POST /v1/users/{email}/disable", admins, s.disableUser},
		{"DELETE /v1/users/{email}", admins, s.deleteUser},

		{"GET /v1/groups", readers, s.listGroups},
		{"POST /v1/groups", admins, s.createGroup},
		{"DELETE /v1/groups/{name}", admins, s.deleteGroup},
		{"POST /v1/groups/{name}/members", admins, s.addMembers},
		{"POST /v1/groups/{name}/remove-members", admins, s.removeMembers},

		{"GET /v1/tiers", readers, s.listTiers},
		{"PUT /v1/tiers/{name}", admins, s.setTier},

		{"GET /v1/subscriptions", readers, s.listSubscriptions},
		{"POST /v1/subscriptions", admins, s.assign},
		{"POST /v1/subscriptions/unassign", admins, s.unassign},

		{"GET /v1/keys", readers, s.listKeys},
		{"POST /v1/keys", admins, s.createKey},
		{"DELETE /v1/keys/{user}/{name}", admins, s.revokeKey},

		{"GET /v1/scim-tokens", readers, s.listSCIMTokens},
		{"POST /v1/scim-tokens", admins, s.createSCIMToken},
		{"DELETE /v1/scim-tokens/{name}", admins, s.revokeSCIMToken},
	}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		s.writeProblem(w, r, &statusError{http.StatusServiceUnavailable, adminapi.TypeUnavailable, "the store is unreachable"})
		return
	}
	writeJSON(w, 200, map[string]string{"status": "ok"})
}

// authorised authenticates the request's API key or access token and
// checks the caller's role before calling h. There is no cache: every
// request looks its key or token up, so a revoked key or token, or a
// disabled user, is refused at once on every replica.
func (s *Server) authorised(a orgadmin.Access, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, err := s.authenticate(r)
		if err == nil && !a.Allows(caller.Role) {
			err = errForbidden
		}
		if err == nil {
			err = h(w, r, caller)
		}
		if err != nil {
			if err == errUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="qdev"`)
			}
			s.writeProblem(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (serverstore.User, error) {
	token, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		return serverstore.User{}, errUnauthorized
	}
	if !strings.HasPrefix(token, apikey.Prefix) && s.identity != nil {
		u, err := s.identity.Authenticate(r.Context(), token)
		if err == identity.ErrInvalidToken {
			return serverstore.User{}, errUnauthorized
		}
		return u, err
	}
	u, err := s.store.Authenticate(r.Context(), token, s.now())
	if err == serverstore.ErrNotFound {
		return serverstore.User{}, errUnauthorized
	}
	return u, err
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	const p = "Bearer "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	return h[len(p):], true
}

// logged logs one line per request: never headers or bodies, which carry
// keys.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
