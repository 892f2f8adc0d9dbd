package serverjobs

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestOneReplicaRunsEachTick has two replicas, each with its own handle on
// one database, tick the same job at the same instants: exactly one runs it
// each time, the same one while it lives, and the other takes over once the
// first stops renewing.
func TestOneReplicaRunsEachTick(t *testing.T) {
	opts := serverstore.Options{Dir: t.TempDir()}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a := &Runner{Leases: storetest.Open(t, opts), Holder: "a", Log: discard, Now: clock}
	b := &Runner{Leases: storetest.Open(t, opts), Holder: "b", Log: discard, Now: clock}
	var runs atomic.Int32
	job := Job{Name: "digest", Every: time.Minute, Run: func(context.Context) error { runs.Add(1); return nil }}
	ctx := context.Background()
	for i := range 5 {
		ranA, err := a.Tick(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		ranB, err := b.Tick(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if !ranA || ranB {
			t.Fatalf("tick %d: a ran %v, b ran %v", i, ranA, ranB)
		}
		now = now.Add(job.Every)
	}
	// a is gone; b takes over once a's lease lapses, and not before.
	if ran, _ := b.Tick(ctx, job); ran {
		t.Fatal("b took a lease a had just renewed")
	}
	now = now.Add(job.ttl())
	if ran, _ := b.Tick(ctx, job); !ran {
		t.Fatal("b did not take over a lapsed lease")
	}
	if runs.Load() != 6 {
		t.Fatalf("%d runs, want 6", runs.Load())
	}
}

// TestRunReleasesOnStop runs a job until the context ends; afterwards the
// lease is free for another replica.
func TestRunReleasesOnStop(t *testing.T) {
	st := storetest.Open(t, serverstore.Options{Dir: t.TempDir()})
	var runs atomic.Int32
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&Runner{Leases: st, Holder: "a", Log: discard}).Run(ctx,
			Job{Name: "j", Every: 5 * time.Millisecond, Run: func(context.Context) error { runs.Add(1); return nil }})
		close(done)
	}()
	for deadline := time.Now().Add(10 * time.Second); runs.Load() < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d runs", runs.Load())
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	<-done
	ok, err := st.AcquireLease(context.Background(), "job:j", "b", time.Minute, time.Now())
	if err != nil || !ok {
		t.Fatalf("lease not released: %v %v", ok, err)
	}
}
