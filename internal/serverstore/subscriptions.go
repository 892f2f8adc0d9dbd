package serverstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Subscription statuses. A user subscription is Pending until the user
// first uses the service, then Active; a group subscription is Subscribed.
// Either is Canceled once its cancellation time has passed.
const (
	StatusPending    = "Pending"
	StatusActive     = "Active"
	StatusSubscribed = "Subscribed"
	StatusCanceled   = "Canceled"
)

// Subscription entitles a user, or every member of a group, to a tier.
type Subscription struct {
	ID          string     `json:"id"`
	User        string     `json:"user,omitempty"`  // email, for a user subscription
	Group       string     `json:"group,omitempty"` // name, for a group subscription
	Tier        string     `json:"tier"`
	Status      string     `json:"status"`
	ActiveUsers int        `json:"active_users"` // members who have used the service
	CreatedAt   time.Time  `json:"created_at"`
	ActivatedAt *time.Time `json:"activated_at,omitempty"`
	CancelAt    *time.Time `json:"cancel_at,omitempty"`
}

// Subject names who a subscription is for: exactly one of User (email) and
// Group (name).
type Subject struct {
	User, Group string
}

// String names the subject: the user's email, or "group NAME".
func (sub Subject) String() string {
	if sub.User != "" {
		return sub.User
	}
	return "group " + sub.Group
}

func (sub Subject) lookup(ctx context.Context, tx *sql.Tx) (column, id string, err error) {
	if sub.User != "" {
		id, err = userID(ctx, tx, sub.User)
		return "user_id", id, err
	}
	id, err = groupID(ctx, tx, sub.Group)
	return "group_id", id, err
}

// Assign subscribes the subject to tier. Assigning to a subject already
// subscribed changes its tier and withdraws a pending cancellation; after a
// cancellation has taken effect, a new subscription starts as Pending.
func (s *Store) Assign(ctx context.Context, sub Subject, tier string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		col, id, err := sub.lookup(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := lookupID(ctx, tx, "tier", `SELECT name FROM tiers WHERE name = $1`, tier); err != nil {
			return err
		}
		// A subscription whose cancellation took effect is history: the new
		// one starts afresh, with no activations.
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE `+col+` = $1 AND cancel_at <= $2`, id, ms(now)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions (id, `+col+`, tier, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (`+col+`) DO UPDATE SET tier = excluded.tier, cancel_at = NULL`, newID("sub"), id, tier, ms(now))
		return err
	})
}

// Unassign cancels the subject's subscription. One that was never used ends
// at once; one in use stays in force until the end of the current period
// (the calendar month, UTC), when it becomes Canceled.
func (s *Store) Unassign(ctx context.Context, sub Subject, now time.Time) (Subscription, error) {
	var out Subscription
	err := s.tx(ctx, func(tx *sql.Tx) error {
		col, id, err := sub.lookup(ctx, tx)
		if err != nil {
			return err
		}
		var subID string
		var cancel sql.NullInt64
		var used bool
		err = tx.QueryRowContext(ctx, `SELECT s.id, s.cancel_at,
			EXISTS (SELECT 1 FROM activations a WHERE a.subscription_id = s.id)
			FROM subscriptions s WHERE s.`+col+` = $1`, id).Scan(&subID, &cancel, &used)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && cancel.Valid && cancel.Int64 <= ms(now)) {
			return fmt.Errorf("subscription of %s: %w", sub, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !cancel.Valid {
			at := now
			if used {
				at = periodEnd(now)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET cancel_at = $2 WHERE id = $1`, subID, ms(at)); err != nil {
				return err
			}
		}
		out, err = scanSubscription(tx.QueryRowContext(ctx, subscriptionQuery+` WHERE s.id = $1`, subID), now)
		return err
	})
	return out, err
}

// periodEnd returns the start of the calendar month (UTC) after t.
func periodEnd(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

const subscriptionQuery = `SELECT s.id, COALESCE(u.email, ''), COALESCE(g.name, ''), s.tier, s.created_at, s.cancel_at,
	(SELECT MIN(a.activated_at) FROM activations a WHERE a.subscription_id = s.id),
	(SELECT COUNT(*) FROM activations a WHERE a.subscription_id = s.id)
	FROM subscriptions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN org_groups g ON g.id = s.group_id`

func scanSubscription(row interface{ Scan(...any) error }, now time.Time) (Subscription, error) {
	var sub Subscription
	var created int64
	var cancel, activated sql.NullInt64
	if err := row.Scan(&sub.ID, &sub.User, &sub.Group, &sub.Tier, &created, &cancel, &activated, &sub.ActiveUsers); err != nil {
		return Subscription{}, err
	}
	sub.CreatedAt = time.UnixMilli(created).UTC()
	sub.CancelAt, sub.ActivatedAt = fromMS(cancel), fromMS(activated)
	switch {
	case cancel.Valid && cancel.Int64 <= ms(now):
		sub.Status = StatusCanceled
	case sub.Group != "":
		sub.Status = StatusSubscribed
	case activated.Valid:
		sub.Status = StatusActive
	default:
		sub.Status = StatusPending
	}
	return sub, nil
}

// ListSubscriptions returns subscriptions in id order, those after p.After,
// with their status at now.
func (s *Store) ListSubscriptions(ctx context.Context, p Page, now time.Time) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, subscriptionQuery+` WHERE s.id > $1 ORDER BY s.id LIMIT $2`, p.After, p.Size())
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (Subscription, error) { return scanSubscription(r, now) })
}

// coveringSubscriptions selects the subscriptions in force at $2 for user $1:
// their own, and their groups'.
const coveringSubscriptions = `FROM subscriptions s WHERE (s.user_id = $1
	OR s.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = $1))
	AND (s.cancel_at IS NULL OR s.cancel_at > $2)`

// EffectiveTier returns the tier the user is entitled to at now: the
// highest-ranked tier of the subscriptions in force for them, or Free.
func (s *Store) EffectiveTier(ctx context.Context, userID string, now time.Time) (Tier, error) {
	t, err := scanTier(s.db.QueryRowContext(ctx, `SELECT `+tierColumns+` FROM tiers t
		WHERE t.name IN (SELECT s.tier `+coveringSubscriptions+`) OR t.name = $3
		ORDER BY t.rank DESC LIMIT 1`, userID, ms(now), DefaultTier))
	if err != nil {
		return Tier{}, s.describe(err)
	}
	return t, nil
}

// RecordUse marks the user as having used the service at now, activating
// every subscription in force for them that they had not used yet. It is
// idempotent, and cheap when nothing changes.
func (s *Store) RecordUse(ctx context.Context, userID string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO activations (subscription_id, user_id, activated_at)
		SELECT s.id, $1, $3 `+coveringSubscriptions+`
		ON CONFLICT (subscription_id, user_id) DO NOTHING`, userID, ms(now), ms(now))
	if err != nil {
		return s.describe(err)
	}
	return nil
}

// StatusNone is the subscription status of a user no subscription covers:
// they have the default tier.
const StatusNone = "None"

// UserSubscriptionStatus returns the user's own status in the subscription
// that gives them their effective tier at now: Active once they have used
// the service under it, Pending before, and StatusNone when no
// subscription covers them.
func (s *Store) UserSubscriptionStatus(ctx context.Context, userID string, now time.Time) (string, error) {
	var activated int
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM activations a WHERE a.subscription_id = s.id AND a.user_id = $1)
		`+coveringSubscriptions+` ORDER BY (SELECT t.rank FROM tiers t WHERE t.name = s.tier) DESC, s.id LIMIT 1`,
		userID, ms(now)).Scan(&activated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return StatusNone, nil
	case err != nil:
		return "", s.describe(err)
	case activated > 0:
		return StatusActive, nil
	}
	return StatusPending, nil
}

// SubscriptionsOf returns the subscriptions that name the user, their own
// and their groups', in id order with their status at now; those whose
// cancellation has taken effect are included, as Canceled, until a new
// assignment replaces them.
func (s *Store) SubscriptionsOf(ctx context.Context, userID string, now time.Time) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, subscriptionQuery+` WHERE s.user_id = $1
		OR s.group_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = $1) ORDER BY s.id`, userID)
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (Subscription, error) { return scanSubscription(r, now) })
}
