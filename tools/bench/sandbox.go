package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qdev/qdev/internal/model/modeltest"
	"github.com/qdev/qdev/internal/sandbox"
)

// spawnRuns is how many /bin/true starts each spawn figure is the median of.
const spawnRuns = 200

// benchSandbox measures what the sandbox costs: one /bin/true started
// bare, through the qdev-sandbox helper and through q re-executing itself;
// then execute_bash rounds with the sandbox on beside the same rounds with
// it off (the floor), and the peak memory of the whole session tree.
func benchSandbox(q, dir string) error {
	ws := filepath.Join(dir, "project")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return err
	}
	// The helper built beside q: without it, Wrap would re-execute this
	// bench binary, which is no helper.
	p := sandbox.Policy{WritablePaths: sandbox.WorkspaceWritable(ws), ReadOnlyPaths: sandbox.WorkspaceConfig(ws),
		Helper: filepath.Join(dir, sandbox.HelperName)}
	bare := medianSpawn(nil)
	helper := medianSpawn(&p)
	p.Network = true
	helperNet := medianSpawn(&p)
	p.Helper = q
	reexec := medianSpawn(&p)
	fmt.Printf("| spawn /bin/true sandboxed, network off (median of %d) | %s | %s (unsandboxed); %s with network on; %s re-executing q | |\n",
		spawnRuns, ms(helper), ms(bare), ms(helperNet), ms(reexec))

	off, offRSS, err := bashRounds(q, dir, "off")
	if err != nil {
		return err
	}
	on, onRSS, err := bashRounds(q, dir, "workspace-write")
	if err != nil {
		return err
	}
	floor := pct(off, 50)
	fmt.Printf("| execute_bash round, sandbox on, p50 (%d rounds) | %s | %s (sandbox off, same run) | ≤ %s (2 × floor + 3 ms) |\n",
		len(on), ms(pct(on, 50)), ms(floor), ms(2*floor+3*time.Millisecond))
	fmt.Printf("| peak RSS of a %d-round session tree, sandbox on | %.1f MiB | %.1f MiB (sandbox off) | ≤ 60 MiB |\n",
		rounds, float64(onRSS)/1024, float64(offRSS)/1024)
	return nil
}

// medianSpawn starts /bin/true spawnRuns times, sandboxed by p unless p is
// nil, and returns the median time to its exit.
func medianSpawn(p *sandbox.Policy) time.Duration {
	var d []time.Duration
	for i := 0; i < spawnRuns; i++ {
		start := time.Now()
		cmd := exec.Command("/bin/true")
		if p != nil {
			cmd, _ = sandbox.Wrap(cmd, *p)
		}
		if cmd.Run() == nil {
			d = append(d, time.Since(start))
		}
	}
	return pct(d, 50)
}

// bashRounds runs sessions of `rounds` execute_bash calls of "true" with
// sandbox.mode set to mode and returns each round's time from the end of a
// model response to the next request (tool run included: that is where
// the sandbox costs), and the peak RSS in KiB of q and its descendants
// together.
func bashRounds(q, dir, mode string) ([]time.Duration, int64, error) {
	proj := filepath.Join(dir, "project")
	cfg := filepath.Join(dir, "config", "qdev", "settings.json")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		return nil, 0, err
	}
	if err := os.WriteFile(cfg, []byte(`{"sandbox.mode":"`+mode+`"}`), 0o644); err != nil {
		return nil, 0, err
	}
	defer os.Remove(cfg)
	var all []time.Duration
	var peak int64
	for s := 0; s < sessions; s++ {
		var turns []modeltest.Turn
		for i := 0; i < rounds; i++ {
			turns = append(turns, modeltest.Turn{ToolCalls: []modeltest.ToolCall{{ID: fmt.Sprint("c", i), Name: "execute_bash",
				Input: `{"command":"true"}`}}})
		}
		turns = append(turns, modeltest.Turn{Text: []string{"done"}})
		srv := modeltest.NewOpenAI(turns...)
		cmd := exec.Command(q, "--model", "openai/bench", "--no-interactive", "--trust-all-tools", "go")
		cmd.Dir = proj
		cmd.Env = benchEnv(dir, srv.URL)
		var stderr strings.Builder
		cmd.Stderr = &stderr // the session's display; shown only on failure
		if err := cmd.Start(); err != nil {
			srv.Close()
			return nil, 0, err
		}
		stop := make(chan struct{})
		var treePeak atomic.Int64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			sampleTree(cmd.Process.Pid, stop, &treePeak)
		}()
		err := cmd.Wait()
		close(stop)
		wg.Wait()
		srv.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("session %d (sandbox %s): %w: %s", s, mode, err, stderr.String())
		}
		peak = max(peak, treePeak.Load())
		reqs, done := srv.Requests(), srv.Completed()
		for i := 1; i < len(reqs) && i-1 < len(done); i++ {
			all = append(all, reqs[i].At.Sub(done[i-1]))
		}
	}
	return all, peak, nil
}

// sampleTree records in peak the largest sum of resident memory (KiB) of
// pid and its descendants, sampled every half millisecond until stop.
func sampleTree(pid int, stop <-chan struct{}, peak *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		if sum := treeRSS(pid); sum > peak.Load() {
			peak.Store(sum)
		}
		time.Sleep(500 * time.Microsecond)
	}
}

// treeRSS sums the resident memory (KiB) of pid and its descendants, each
// address space once: a child that shares its parent's (a vfork child that
// has not yet executed its program) would otherwise count the parent's
// memory twice. It reads statm, the smallest file that has it, to disturb
// what is measured as little as it can.
func treeRSS(pid int) int64 {
	var pages int64
	type proc struct{ pid, parent int }
	todo := []proc{{pid, 0}}
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		if p.parent > 0 && sameMemory(p.pid, p.parent) {
			continue
		}
		statm, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/statm")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(statm)); len(f) > 1 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			pages += n
		}
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(p.pid) + "/task/*/children")
		for _, t := range tasks {
			b, _ := os.ReadFile(t)
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					todo = append(todo, proc{c, p.pid})
				}
			}
		}
	}
	return pages * int64(os.Getpagesize()) / 1024
}
