//go:build unix

package proctest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// StartDaemon starts cmd, a real server a test talks to (moto_server,
// tinyproxy), in a process group of its own, and stops the whole group
// when the test ends: SIGTERM, then SIGKILL if it is still there after five
// seconds. It then polls ready, with a growing pause of at most maxDelay,
// until ready reports true, the server exits or timeout passes; the error
// says which. Output files of cmd are the caller's to close, in a cleanup
// registered before StartDaemon so that it runs after the server stopped.
func StartDaemon(t testing.TB, cmd *exec.Cmd, timeout, maxDelay time.Duration, ready func() bool) error {
	t.Helper()
	name := filepath.Base(cmd.Path)
	// Not procgroup.New: its own tests import this package.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
	})
	deadline := time.Now().Add(timeout)
	delay := 10 * time.Millisecond
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("%s exited", name)
		default:
		}
		if ready() {
			return nil
		}
		time.Sleep(delay)
		delay = min(2*delay, maxDelay)
	}
	return fmt.Errorf("%s did not answer within %s", name, timeout)
}
