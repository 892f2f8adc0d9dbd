//go:build unix

package proctest

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestStartDaemonStopsTheGroup: what the server leaves running in its
// group is gone once the test that started it ends.
func TestStartDaemonStopsTheGroup(t *testing.T) {
	var pgid int
	t.Run("server", func(t *testing.T) {
		cmd := exec.Command("sh", "-c", "sleep 60 & sleep 60")
		polls := 0
		if err := StartDaemon(t, cmd, 10*time.Second, 20*time.Millisecond, func() bool { polls++; return polls > 2 }); err != nil {
			t.Fatal(err)
		}
		pgid = cmd.Process.Pid
		if !GroupAlive(pgid) {
			t.Fatal("the server's group is not running")
		}
	})
	WaitGone(t, pgid, "the server")
}

// TestStartDaemonExited: a server that exits before it is ready is an
// error naming it, not a wait for the whole timeout.
func TestStartDaemonExited(t *testing.T) {
	start := time.Now()
	err := StartDaemon(t, exec.Command("false"), time.Minute, 20*time.Millisecond, func() bool { return false })
	if err == nil || !strings.Contains(err.Error(), "false exited") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("waited %s for a server that had exited", time.Since(start))
	}
}
