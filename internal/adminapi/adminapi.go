// Package adminapi is the wire format of the organisation service's REST
// admin API, shared by the server and its clients: request bodies, the list
// envelope, and problem details for errors. Resources are the store's types.
package adminapi

import (
	"fmt"

	"github.com/qdev/qdev/internal/serverstore"
)

// Resources, as the store defines them.
type (
	User         = serverstore.User
	Group        = serverstore.Group
	Tier         = serverstore.Tier
	Subscription = serverstore.Subscription
	APIKey       = serverstore.APIKey
	SCIMToken    = serverstore.SCIMToken
)

// List is one page of a listing. NextCursor, when not empty, is passed as
// the cursor query parameter to get the next page.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Me is what GET /v1/me returns: the caller, the tier they are entitled
// to, and their status in the subscription that gives it (Active, Pending,
// or None when only the default tier applies).
type Me struct {
	User   User   `json:"user"`
	Tier   string `json:"tier"`
	Status string `json:"status"`
}

// CreateUser is the body of POST /v1/users. Password, when given, lets the
// user sign in with it; it is stored only as a hash.
type CreateUser struct {
	Email    string   `json:"email"`
	Name     string   `json:"name,omitempty"`
	Role     string   `json:"role,omitempty"` // default user
	Groups   []string `json:"groups,omitempty"`
	Password string   `json:"password,omitempty"`
}

// SetPassword is the body of PUT /v1/users/{email}/password.
type SetPassword struct {
	Password string `json:"password"`
}

// CreateGroup is the body of POST /v1/groups.
type CreateGroup struct {
	Name string `json:"name"`
}

// Members is the body of POST /v1/groups/{name}/members and
// /v1/groups/{name}/remove-members.
type Members struct {
	Emails []string `json:"emails"`
}

// SetTier is the body of PUT /v1/tiers/{name}. Absent quotas are unlimited;
// Rank 0 keeps an existing tier's rank and puts a new one above the others.
type SetTier struct {
	Rank             int64    `json:"rank,omitempty"`
	RequestsPerDay   *int64   `json:"requests_per_day,omitempty"`
	RequestsPerMonth *int64   `json:"requests_per_month,omitempty"`
	TokensPerMonth   *int64   `json:"tokens_per_month,omitempty"`
	Models           []string `json:"models,omitempty"`
	Features         []string `json:"features,omitempty"`
}

// Assign is the body of POST /v1/subscriptions (with Tier) and
// POST /v1/subscriptions/unassign (without): exactly one of User and Group.
type Assign struct {
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
	Tier  string `json:"tier,omitempty"`
}

// CreateKey is the body of POST /v1/keys. ExpiresInDays 0 means never.
type CreateKey struct {
	User          string `json:"user"`
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days,omitempty"`
}

// CreatedKey is the answer to POST /v1/keys: the only time the key itself
// is shown.
type CreatedKey struct {
	APIKey
	Key string `json:"key"`
}

// CreateSCIMToken is the body of POST /v1/scim-tokens.
type CreateSCIMToken struct {
	Name string `json:"name"`
}

// CreatedSCIMToken is the answer to POST /v1/scim-tokens: the only time the
// token itself is shown.
type CreatedSCIMToken struct {
	SCIMToken
	Token string `json:"token"`
}

// ProblemType values, the type member of problem details.
const (
	TypeInvalid      = "urn:qdev:problem:invalid-request"
	TypeUnauthorized = "urn:qdev:problem:unauthorized"
	TypeForbidden    = "urn:qdev:problem:forbidden"
	TypeNotFound     = "urn:qdev:problem:not-found"
	TypeConflict     = "urn:qdev:problem:conflict"
	TypeTooLarge     = "urn:qdev:problem:too-large"
	TypeInternal     = "urn:qdev:problem:internal"
	TypeUnavailable  = "urn:qdev:problem:unavailable"
)

// Problem is an RFC 9457 problem details object, served as
// application/problem+json. Field names the offending request field of a 400.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Field  string `json:"field,omitempty"`
}

// Error returns the detail, or the title when there is none, with the field.
func (p *Problem) Error() string {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if p.Field != "" {
		return fmt.Sprintf("%s: %s", p.Field, msg)
	}
	return msg
}

// CLIClientID is the OAuth client id of q itself at the service's identity
// provider: a public client, using PKCE or the device flow.
const CLIClientID = "qdev-cli"
