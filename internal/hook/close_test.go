//go:build unix

package hook

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/proctest"
)

// TestCloseKillsRunningHooks: an agentSpawn hook runs without a context
// that q cancels; Close still kills its whole process group, background
// child included, and later hooks do not start.
func TestCloseKillsRunningHooks(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	h := spec(`sleep 300 & echo $$ > ` + pidFile + `; sleep 300`)
	h.TimeoutMS = 600_000
	r, w, cwd := newRunner(t, hooks{agentcfg.AgentSpawn: {h}, agentcfg.Stop: {spec("touch stop-ran")}})
	done := make(chan string)
	go func() { done <- r.AgentSpawn(context.Background()) }()

	var pgid int
	deadline := time.Now().Add(10 * time.Second)
	for pgid == 0 {
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			pgid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		} else if time.Now().After(deadline) {
			t.Fatal("the hook never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.Close()
	select {
	case out := <-done:
		if out != "" {
			t.Errorf("a killed hook gave context %q", out)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("AgentSpawn did not return after Close")
	}
	proctest.WaitGone(t, pgid, "the hook")
	r.Stop(context.Background(), agent.StopEvent{})
	if _, err := os.Stat(filepath.Join(cwd, "stop-ran")); err == nil {
		t.Error("a hook ran after Close")
	}
	if got := w.joined(); got != "" {
		t.Errorf("closing warned: %s", got)
	}
}

// TestBackgroundChildEndsWithHook: a hook's background processes do not
// outlive it.
func TestBackgroundChildEndsWithHook(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	r, _, _ := newRunner(t, hooks{agentcfg.Stop: {spec(`sleep 300 & echo $$ > ` + pidFile)}})
	r.Stop(context.Background(), agent.StopEvent{})
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pgid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	proctest.WaitGone(t, pgid, "the finished hook")
}
