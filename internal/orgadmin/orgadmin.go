// Package orgadmin makes the organisation's administrative changes — users,
// groups, tiers, subscriptions, API keys and SCIM tokens — with the rules
// that go with them: what a valid email, name or quota is, and what an
// administrator may not do to their own account. The REST admin API and the
// web console both call it, so a rule holds however a change is asked for;
// each only turns its own input (JSON or a form) into these calls.
package orgadmin

import (
	"errors"
	"log/slog"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
)

// Service carries out changes on a store. It keeps no state of its own.
type Service struct {
	store *serverstore.Store
	log   *slog.Logger
	now   func() time.Time
}

// New returns a Service over store, logging to log, with now as its clock
// (nil means time.Now).
func New(store *serverstore.Store, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, log: log, now: now}
}

// FieldError is a change refused because of one of its fields: Field names
// it as the request does, Msg says what is wrong in words for a person.
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Invalid returns a FieldError.
func Invalid(field, msg string) error { return &FieldError{field, msg} }

// ErrOwnAccount refuses an administrator's disabling or deleting their own
// account, so that the last one cannot lock everyone out.
var ErrOwnAccount = errors.New("you cannot disable or delete your own account")

// CheckName accepts the names of groups, tiers, keys and tokens.
func CheckName(field, v string) error {
	if !serverstore.NamePattern.MatchString(v) {
		return Invalid(field, "expected 1-64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit")
	}
	return nil
}

// CheckEmail returns the address in the form users are stored under.
func CheckEmail(field, v string) (string, error) {
	e, err := serverstore.NormalizeEmail(v)
	if err != nil {
		return "", Invalid(field, err.Error())
	}
	return e, nil
}

// MaxKeyDays bounds the lifetime of an API key: ten years.
const MaxKeyDays = 3650
