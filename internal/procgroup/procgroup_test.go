//go:build unix

package procgroup

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/proctest"
)

// TestKillTakesTheBackground: what the command leaves running in its group
// dies with it.
func TestKillTakesTheBackground(t *testing.T) {
	cmd := exec.Command("bash", "-c", "sleep 300 & echo $!; wait")
	New(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, _ := out.Read(buf)
	if _, err := strconv.Atoi(strings.TrimSpace(string(buf[:n]))); err != nil {
		t.Fatalf("no background pid: %q", buf[:n])
	}
	pgid := cmd.Process.Pid
	if err := Kill(cmd); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	proctest.WaitGone(t, pgid, "the background sleep")
	if err := Kill(exec.Command("true")); err != nil {
		t.Errorf("killing a command never started: %v", err)
	}
}
