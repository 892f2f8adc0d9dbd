package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readyTrail opens a trail holding one record whose free-space probe
// reports free bytes (or fails with freeErr) and whose Ready cache follows
// the clock c.
func readyTrail(t *testing.T, c *clock, free *uint64, freeErr *error) (*Trail, string) {
	t.Helper()
	tr, dir := openTrail(t, c, 0)
	mustAppend(t, tr, rec(1))
	tr.ready.clock = c.Now
	tr.ready.free = func(string) (uint64, bool, error) { return *free, true, *freeErr }
	return tr, dir
}

func TestReady(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, tr *Trail, dir string, free *uint64, freeErr *error)
		want   string // "" for ready
	}{
		{"healthy", func(*testing.T, *Trail, string, *uint64, *error) {}, ""},
		{"exactly the minimum free", func(_ *testing.T, _ *Trail, _ string, free *uint64, _ *error) {
			*free = MinFreeBytes
		}, ""},
		{"disk full", func(_ *testing.T, _ *Trail, _ string, free *uint64, _ *error) {
			*free = 300 << 10
		}, "filesystem full (300 KiB free, at least 1024 KiB needed)"},
		{"free space unknown", func(_ *testing.T, _ *Trail, _ string, _ *uint64, freeErr *error) {
			*freeErr = errors.New("statfs: input/output error")
		}, "cannot tell the free space: statfs: input/output error"},
		{"directory replaced by a file", func(t *testing.T, _ *Trail, dir string, _ *uint64, _ *error) {
			mustRemoveAll(t, dir)
			if err := os.WriteFile(dir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
		{"directory removed", func(t *testing.T, _ *Trail, dir string, _ *uint64, _ *error) {
			mustRemoveAll(t, dir)
		}, "the directory is gone"},
		{"lock file replaced by a directory", func(t *testing.T, _ *Trail, dir string, _ *uint64, _ *error) {
			lock := filepath.Join(dir, lockName)
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(lock, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "cannot open the lock file: open " + "DIR/" + lockName + ": is a directory"},
		{"open log file replaced by a directory", func(t *testing.T, _ *Trail, dir string, _ *uint64, _ *error) {
			path := filepath.Join(dir, logNames(t, dir)[0])
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "cannot open the open log file"},
		{"open log file sealed by another process", func(t *testing.T, _ *Trail, dir string, _ *uint64, _ *error) {
			other, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := other.Rotate(); err != nil {
				t.Fatal(err)
			}
			// Sealed files are read-only, which stops all but root from
			// opening them to write; a directory in its place stops root.
			path := filepath.Join(dir, logNames(t, dir)[0])
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"closed", func(_ *testing.T, tr *Trail, _ string, _ *uint64, _ *error) {
			tr.Close()
		}, "closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			free, freeErr := uint64(50<<30), error(nil)
			tr, dir := readyTrail(t, newClock("2025-03-04T10:00:00Z"), &free, &freeErr)
			tc.damage(t, tr, dir, &free, &freeErr)
			err := tr.Ready()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Ready: %v", err)
				}
				return
			}
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if err == nil || !strings.HasPrefix(err.Error(), "audit trail "+dir+": ") ||
				!strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Ready: %v; want one line naming %s and saying %q", err, dir, want)
			}
		})
	}
}

func mustRemoveAll(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

func TestReadyUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes whatever the mode bits say")
	}
	free, freeErr := uint64(50<<30), error(nil)
	tr, dir := readyTrail(t, newClock("2025-03-04T10:00:00Z"), &free, &freeErr)
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if err := tr.Ready(); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("Ready: %v, want not writable", err)
	}
}

func TestReadyCachesForASecond(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	free, freeErr := uint64(50<<30), error(nil)
	tr, _ := readyTrail(t, c, &free, &freeErr)
	if err := tr.Ready(); err != nil {
		t.Fatal(err)
	}
	free = 0
	if err := tr.Ready(); err != nil {
		t.Fatalf("Ready within the second after a check: %v, want the cached success", err)
	}
	c.Add(time.Second)
	if err := tr.Ready(); err == nil {
		t.Fatal("Ready a second later did not see the full disk")
	}
	free = 50 << 30
	if err := tr.Ready(); err == nil {
		t.Fatal("Ready within the second after a failure: want the cached failure")
	}
	c.Add(time.Second)
	if err := tr.Ready(); err != nil {
		t.Fatalf("Ready once space is back: %v", err)
	}
}

func TestFailedAppendMakesReadyCheckAgain(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	free, freeErr := uint64(50<<30), error(nil)
	tr, _ := readyTrail(t, c, &free, &freeErr)
	if err := tr.Ready(); err != nil {
		t.Fatal(err)
	}
	free = 0 // the disk fills: the next write fails
	tr.hooks = &testHooks{write: func(*os.File, []byte) (int, error) {
		return 0, errors.New("no space left on device")
	}}
	if err := tr.Append(rec(2)); err == nil {
		t.Fatal("Append succeeded")
	}
	if err := tr.Ready(); err == nil || !strings.Contains(err.Error(), "filesystem full") {
		t.Fatalf("Ready right after a failed Append: %v, want filesystem full", err)
	}
}
