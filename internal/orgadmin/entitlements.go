package orgadmin

import (
	"context"
	"strings"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/serverstore"
)

// SetTier creates the tier name or replaces its limits with req's.
func (s *Service) SetTier(ctx context.Context, name string, req adminapi.SetTier) (serverstore.Tier, error) {
	if err := CheckName("name", name); err != nil {
		return serverstore.Tier{}, err
	}
	for _, q := range []struct {
		field string
		v     *int64
	}{{"requests_per_day", req.RequestsPerDay}, {"requests_per_month", req.RequestsPerMonth}, {"tokens_per_month", req.TokensPerMonth}} {
		if q.v != nil && *q.v < 0 {
			return serverstore.Tier{}, Invalid(q.field, "must not be negative")
		}
	}
	if req.Rank < 0 {
		return serverstore.Tier{}, Invalid("rank", "must not be negative")
	}
	for _, l := range []struct {
		field string
		list  []string
	}{{"models", req.Models}, {"features", req.Features}} {
		for _, v := range l.list {
			if v == "" || len(v) > 200 || strings.Contains(v, ",") {
				return serverstore.Tier{}, Invalid(l.field, "entries must be 1-200 characters without commas")
			}
		}
	}
	return s.store.SetTier(ctx, serverstore.Tier{Name: name, Rank: req.Rank,
		RequestsPerDay: req.RequestsPerDay, RequestsPerMonth: req.RequestsPerMonth, TokensPerMonth: req.TokensPerMonth,
		Models: req.Models, Features: req.Features})
}

// subject reads the user or group req names: exactly one.
func subject(req adminapi.Assign) (serverstore.Subject, error) {
	switch {
	case req.User != "" && req.Group != "":
		return serverstore.Subject{}, Invalid("group", "give a user or a group, not both")
	case req.User != "":
		email, err := CheckEmail("user", req.User)
		return serverstore.Subject{User: email}, err
	case req.Group != "":
		return serverstore.Subject{Group: req.Group}, CheckName("group", req.Group)
	}
	return serverstore.Subject{}, Invalid("user", "a user or a group is required")
}

// Assign subscribes the user or group req names to req.Tier. A new user
// subscription is Pending until the user first uses the service.
func (s *Service) Assign(ctx context.Context, req adminapi.Assign) error {
	sub, err := subject(req)
	if err != nil {
		return err
	}
	if err := CheckName("tier", req.Tier); err != nil {
		return err
	}
	return s.store.Assign(ctx, sub, req.Tier, s.now())
}

// Unassign cancels the subscription of the user or group req names: at
// once when it was never used, at the end of the period otherwise. It
// returns the subscription as it now stands.
func (s *Service) Unassign(ctx context.Context, req adminapi.Assign) (serverstore.Subscription, error) {
	if req.Tier != "" {
		return serverstore.Subscription{}, Invalid("tier", "unassign takes no tier")
	}
	sub, err := subject(req)
	if err != nil {
		return serverstore.Subscription{}, err
	}
	return s.store.Unassign(ctx, sub, s.now())
}
