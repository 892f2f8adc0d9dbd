package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
	"github.com/qdev/qdev/internal/apikey"
	"github.com/qdev/qdev/internal/identity"
	"github.com/qdev/qdev/internal/serverstore"
	"github.com/qdev/qdev/internal/serverstore/storetest"
)

// idleRSSLimit is the target resident memory of an idle server with 1,000
// users.
const idleRSSLimit = 40 << 20

// TestIdleRSS measures the resident memory of a server on SQLite with 1,000
// users once it has served a listing of all of them over HTTP and gone idle. It runs
// only with QDEV_BENCH_RSS=1 (make bench territory): RSS depends on the
// machine and on what else the test binary loaded.
func TestIdleRSS(t *testing.T) {
	if os.Getenv("QDEV_BENCH_RSS") != "1" {
		t.Skip("set QDEV_BENCH_RSS=1 to measure idle RSS")
	}
	ctx := context.Background()
	st := storetest.Open(t, serverstore.Options{Dir: t.TempDir()})
	key := apikey.New()
	if _, err := st.Initialise(ctx, "admin@example.com", apikey.Store(key)); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if _, err := st.CreateUser(ctx, fmt.Sprintf("user%04d@example.com", i), "", serverstore.RoleUser, nil); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	idp, err := identity.New(ctx, identity.Config{Store: st, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Serve(sctx, ln, New(st, log, WithIdentity(idp)).Handler(), "", "")
	}()
	c, err := adminclient.New("http://"+ln.Addr().String(), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if users, err := adminclient.List[adminapi.User](ctx, c, "/v1/users?limit=500"); err != nil || len(users) != 1001 {
		t.Fatalf("listed %d users: %v", len(users), err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	rss, anon := procStatus(t, "VmRSS"), procStatus(t, "RssAnon")
	t.Logf("idle RSS with 1,000 users: %.1f MiB (anonymous %.1f MiB)", float64(rss)/(1<<20), float64(anon)/(1<<20))
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rss > idleRSSLimit {
		t.Errorf("idle RSS %.1f MiB is over the %d MiB target", float64(rss)/(1<<20), idleRSSLimit>>20)
	}
}

// procStatus returns a size field of /proc/self/status in bytes.
func procStatus(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
