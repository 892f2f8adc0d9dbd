// Package scim is the organisation service's SCIM 2.0 endpoint (RFC 7643,
// RFC 7644), through which an identity provider such as Okta or Entra ID
// provisions and de-provisions users and groups. A SCIM user is a store
// user, a SCIM group an organisation group. Requests authenticate with a
// SCIM token an administrator created; every request looks its token up,
// and no user state is cached, so what a request changes holds on every
// replica from the next request on.
package scim

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/qdev/qdev/internal/serverstore"
)

// Prefix is where the service is mounted.
const Prefix = "/scim/v2"

// The schema URIs.
const (
	userSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	listSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
	spConfigSchema   = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	resTypeSchema    = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	contentType      = "application/scim+json"
	defaultPageCount = 100
	maxPageCount     = 200
)

// Service serves SCIM over a store.
type Service struct {
	store *serverstore.Store
	log   *slog.Logger
	mux   *http.ServeMux
}

// New returns the SCIM service over store, logging to log.
func New(store *serverstore.Store, log *slog.Logger) *Service {
	s := &Service{store: store, log: log, mux: http.NewServeMux()}
	for _, rt := range []struct {
		pattern string
		h       func(http.ResponseWriter, *http.Request) error
	}{
		{"GET /Users", s.listUsers},
		{"POST /Users", s.createUser},
		{"GET /Users/{id}", s.getUser},
		{"PUT /Users/{id}", s.replaceUser},
		{"PATCH /Users/{id}", s.patchUser},
		{"DELETE /Users/{id}", s.deleteUser},
		{"GET /Groups", s.listGroups},
		{"POST /Groups", s.createGroup},
		{"GET /Groups/{id}", s.getGroup},
		{"PUT /Groups/{id}", s.replaceGroup},
		{"PATCH /Groups/{id}", s.patchGroup},
		{"DELETE /Groups/{id}", s.deleteGroup},
		{"GET /ServiceProviderConfig", s.serviceProviderConfig},
		{"GET /ResourceTypes", s.resourceTypes},
		{"GET /ResourceTypes/{name}", s.resourceType},
		{"GET /Schemas", s.schemas},
		{"GET /Schemas/{uri}", s.schema},
	} {
		method, path, _ := strings.Cut(rt.pattern, " ")
		s.mux.Handle(method+" "+Prefix+path, s.authenticated(rt.h))
	}
	s.mux.Handle(Prefix+"/", s.authenticated(func(http.ResponseWriter, *http.Request) error {
		return &scimError{status: http.StatusNotFound, detail: "no such SCIM endpoint"}
	}))
	return s
}

// ServeHTTP serves the requests under Prefix.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type tokenKey struct{}

// authenticated checks the request's SCIM token before calling h, and
// answers h's error in the SCIM error form. Unknown paths are refused the
// same way, so that an unauthenticated client learns nothing of them.
func (s *Service) authenticated(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r.Header.Get("Authorization"))
		var err error
		if !ok {
			err = errUnauthorized
		} else if tok, aerr := s.store.AuthenticateSCIM(r.Context(), token); errors.Is(aerr, serverstore.ErrNotFound) {
			err = errUnauthorized
		} else if aerr != nil {
			err = aerr
		} else {
			err = h(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok.Name)))
		}
		if err != nil {
			if err == errUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="qdev SCIM"`)
			}
			s.writeError(w, r, err)
		}
	})
}

// tokenName is the name of the SCIM token a request authenticated with,
// for the log.
func tokenName(r *http.Request) string {
	n, _ := r.Context().Value(tokenKey{}).(string)
	return n
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	const p = "Bearer "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	return h[len(p):], true
}

// baseURL is the absolute URL of the SCIM endpoint as this request reached
// it, for the location of resources.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix
}
