package serverstore

import (
	"context"
	"time"
)

// AcquireLease makes holder the holder of the lease name until now+ttl, if
// no one else holds it at now, and reports whether holder holds it. The
// holder renews by acquiring again before the lease expires. Background
// jobs take a lease so that, among replicas sharing a database, one runs
// each job: a single conditional upsert decides, so two replicas can never
// both win.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= $4`, name, holder, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, s.describe(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.describe(err)
	}
	return n == 1, nil
}

// ReleaseLease gives up the lease if holder holds it, so another replica
// need not wait for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return s.describe(err)
	}
	return nil
}
