// Package serverjobs runs the organisation service's scheduled jobs
// (reports, retention, digests) so that, among replicas sharing a database,
// one replica at a time runs each job.
package serverjobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Leaser grants time-limited, exclusive leases; serverstore.Store is one.
type Leaser interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Job is a task to run every Every on one replica of the cluster.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(context.Context) error
}

// ttl is how long a job's lease lasts: two intervals, so the holder renews
// it (on its next tick) long before it lapses, and if the holder dies
// another replica takes the job over within two intervals.
func (j Job) ttl() time.Duration { return 2 * j.Every }

// Runner runs jobs for one replica.
type Runner struct {
	Leases Leaser
	// Holder identifies this replica; it must differ between replicas.
	Holder string
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Tick runs job once if this replica holds its lease or can take it, and
// reports whether it ran. A failed run is logged, not returned: the next
// tick tries again.
func (r *Runner) Tick(ctx context.Context, job Job) (bool, error) {
	ok, err := r.Leases.AcquireLease(ctx, "job:"+job.Name, r.Holder, job.ttl(), r.now())
	if err != nil || !ok {
		return false, err
	}
	if err := job.Run(ctx); err != nil {
		r.Log.Error("job failed", "job", job.Name, "err", err)
	}
	return true, nil
}

// Run ticks every job on its own interval until ctx ends, then gives up
// the leases it holds so another replica can take over at once.
func (r *Runner) Run(ctx context.Context, jobs ...Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Go(func() {
			t := time.NewTicker(job.Every)
			defer t.Stop()
			for {
				if _, err := r.Tick(ctx, job); err != nil && ctx.Err() == nil {
					r.Log.Warn("job lease", "job", job.Name, "err", err)
				}
				select {
				case <-ctx.Done():
					// ctx is over: release on a fresh, short context.
					rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					r.Leases.ReleaseLease(rctx, "job:"+job.Name, r.Holder)
					cancel()
					return
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
}
