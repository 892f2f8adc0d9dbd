package serverstore

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// DefaultTier is the tier of a user no subscription covers.
const DefaultTier = "Free"

// Tier is a level of service. Its quotas are enforced by the gateway; nil
// means unlimited. When several subscriptions cover a user, the tier with
// the highest Rank wins.
type Tier struct {
	Name             string    `json:"name"`
	Rank             int64     `json:"rank"`
	RequestsPerDay   *int64    `json:"requests_per_day,omitempty"`
	RequestsPerMonth *int64    `json:"requests_per_month,omitempty"`
	TokensPerMonth   *int64    `json:"tokens_per_month,omitempty"`
	Models           []string  `json:"models,omitempty"`
	Features         []string  `json:"features,omitempty"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// SetTier creates or replaces the tier t.Name. A new tier with Rank 0 that
// is not Free ranks above every existing tier, so that "define a tier" does
// what an administrator expects without picking numbers.
func (s *Store) SetTier(ctx context.Context, t Tier) (Tier, error) {
	t.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if t.Rank == 0 && t.Name != DefaultTier {
			// rank is -1 for a new tier.
			var rank, max int64
			err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT rank FROM tiers WHERE name = $1), -1),
				(SELECT MAX(rank) FROM tiers)`, t.Name).Scan(&rank, &max)
			if err != nil {
				return err
			}
			if t.Rank = rank; rank < 0 {
				t.Rank = max + 10
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tiers (name, rank, requests_per_day, requests_per_month,
			tokens_per_month, models, features, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (name) DO UPDATE SET rank = excluded.rank, requests_per_day = excluded.requests_per_day,
			requests_per_month = excluded.requests_per_month, tokens_per_month = excluded.tokens_per_month,
			models = excluded.models, features = excluded.features, updated_at = excluded.updated_at`,
			t.Name, t.Rank, nullInt(t.RequestsPerDay), nullInt(t.RequestsPerMonth), nullInt(t.TokensPerMonth),
			strings.Join(t.Models, ","), strings.Join(t.Features, ","), ms(t.UpdatedAt))
		return err
	})
	return t, err
}

const tierColumns = `t.name, t.rank, t.requests_per_day, t.requests_per_month, t.tokens_per_month, t.models, t.features, t.updated_at`

func scanTier(row interface{ Scan(...any) error }) (Tier, error) {
	var t Tier
	var day, month, tokens sql.NullInt64
	var models, features string
	var updated int64
	if err := row.Scan(&t.Name, &t.Rank, &day, &month, &tokens, &models, &features, &updated); err != nil {
		return Tier{}, err
	}
	t.RequestsPerDay, t.RequestsPerMonth, t.TokensPerMonth = intPtr(day), intPtr(month), intPtr(tokens)
	t.Models, t.Features = splitList(models), splitList(features)
	t.UpdatedAt = time.UnixMilli(updated).UTC()
	return t, nil
}

// ListTiers returns the tiers by rank, lowest first. There are few.
func (s *Store) ListTiers(ctx context.Context) ([]Tier, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tierColumns+` FROM tiers t ORDER BY t.rank, t.name`)
	if err != nil {
		return nil, s.describe(err)
	}
	return collect(rows, func(r *sql.Rows) (Tier, error) { return scanTier(r) })
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func intPtr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
