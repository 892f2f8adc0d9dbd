// Command bench measures qdev against its targets and prints one table:
// start-up of `q --version`, the client's own overhead per agent turn in a
// 5-round tool session against a zero-latency fake model, and peak memory.
// Each figure is printed beside a baseline measured in the same run.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/qdev/qdev/internal/model/modeltest"
)

const (
	startupRuns = 20
	sessions    = 20
	rounds      = 5
)

func main() {
	only := flag.String("only", "", "comma-separated sections to run: startup,turn,mcp,policy,audit,server,sandbox,knowledge,build (default all)")
	flag.Parse()
	if err := run(*only); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// section measures one part and prints its table rows.
type section struct {
	name string
	run  func(q, dir string) error
}

var sections = []section{
	{"startup", benchStartup},
	{"turn", benchTurn},
	{"mcp", benchMCP},
	{"policy", benchPolicy},
	{"audit", benchAudit},
	{"server", benchServer},
	{"sandbox", benchSandbox},
	{"knowledge", benchKnowledge},
	{"build", benchBuild},
}

func run(only string) error {
	dir, err := os.MkdirTemp("", "qdev-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	q := filepath.Join(dir, "q")
	if err := build(q, "./cmd/q"); err != nil {
		return err
	}
	// q finds its sandbox helper next to itself, as make build installs it.
	if err := build(filepath.Join(dir, "qdev-sandbox"), "./cmd/qdev-sandbox"); err != nil {
		return err
	}
	fmt.Println("| measure | qdev | baseline | target |")
	fmt.Println("|---|---|---|---|")
	for _, sec := range sections {
		if only != "" && !slices.Contains(strings.Split(only, ","), sec.name) {
			continue
		}
		if err := sec.run(q, dir); err != nil {
			return fmt.Errorf("%s: %w", sec.name, err)
		}
	}
	return nil
}

// build compiles pkg as `make build` does: static, with Go's other default
// compile flags (so the packages come from the cache `make build` fills),
// and a stripped link.
func build(out, pkg string) error {
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %w", pkg, err)
	}
	return nil
}

func benchStartup(q, dir string) error {
	floor := filepath.Join(dir, "sdkfloor")
	if err := build(floor, "./tools/bench/sdkfloor"); err != nil {
		return err
	}
	qStart, floorStart, trueStart := medianRun(q, "--version"), medianRun(floor), medianRun("/bin/true")
	fmt.Printf("| `q --version` start-up (median of %d) | %s | %s (empty program linking the same SDKs); %s (`/bin/true`) | ≤ 10 ms |\n",
		startupRuns, ms(qStart), ms(floorStart), ms(trueStart))
	return nil
}

func benchTurn(q, dir string) error {
	gaps, rss, err := turnOverhead(q, dir)
	if err != nil {
		return err
	}
	rtt, err := fakeRoundTrip()
	if err != nil {
		return err
	}
	fmt.Printf("| client overhead per turn, p50 (%d turns) | %s | %s (bare HTTP round trip to the fake) | ≤ 2 ms |\n", len(gaps), ms(pct(gaps, 50)), ms(rtt))
	fmt.Printf("| client overhead per turn, p99 | %s | | ≤ 10 ms |\n", ms(pct(gaps, 99)))
	fmt.Printf("| peak RSS of a %d-round session (max of %d) | %.1f MB | | ≤ 40 MB |\n", rounds, sessions, float64(rss)/1024)
	return nil
}

func benchMCP(q, dir string) error {
	first, slowest, err := mcpStartup(q, dir)
	if err != nil {
		return err
	}
	viaQ, direct, err := mcpCallOverhead()
	if err != nil {
		return err
	}
	fmt.Printf("| start to first model request, 3 stdio MCP servers (median of 5) | %s | %s (slowest of the 3 servers' own start-up to tools listed, started together, median of 5) | ≤ baseline + 50 ms |\n", ms(first), ms(slowest))
	fmt.Printf("| MCP tool call round trip, p50 of %d | %s | %s (SDK session direct) | overhead ≤ 1 ms |\n", mcpCalls, ms(viaQ), ms(direct))
	return nil
}

func benchPolicy(_, _ string) error {
	decisions, err := goBenchMetric("./internal/iam", "BenchmarkEvaluateTarget", "decisions/s", "-cpu", "1")
	if err != nil {
		return err
	}
	fmt.Printf("| IAM policy decisions per second, one core (30-statement identity policy, 2 SCP levels) | %.0f | | ≥ 500,000 |\n", decisions)
	return nil
}

func benchAudit(_, _ string) error {
	appends, err := goBenchMetric("./internal/audit", "BenchmarkAppendConcurrent", "appends/s")
	if err != nil {
		return err
	}
	single, err := goBenchMetric("./internal/audit", "BenchmarkAppend", "appends/s")
	if err != nil {
		return err
	}
	verifyMBs, err := goBenchMetric("./internal/audit", "BenchmarkVerify", "MB/s")
	if err != nil {
		return err
	}
	fmt.Printf("| durable audit appends per second, 64 concurrent writers | %.0f | %.0f (one writer) | ≥ 20,000 |\n", appends, single)
	fmt.Printf("| `q audit verify` throughput | %.0f MB/s | | ≥ 200 MB/s |\n", verifyMBs)
	return nil
}

func medianRun(bin string, args ...string) time.Duration {
	var d []time.Duration
	for i := 0; i < startupRuns; i++ {
		start := time.Now()
		_ = exec.Command(bin, args...).Run()
		d = append(d, time.Since(start))
	}
	return pct(d, 50)
}

// turnOverhead runs sessions of `rounds` fs_read calls and returns, for
// every turn after the first, the time between the end of one model
// response and the arrival of the next request, minus the tool's run time.
func turnOverhead(q, dir string) ([]time.Duration, int64, error) {
	proj := filepath.Join(dir, "project")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		return nil, 0, err
	}
	if err := os.WriteFile(filepath.Join(proj, "a.txt"), []byte("hello\n"), 0o644); err != nil {
		return nil, 0, err
	}
	var gaps []time.Duration
	var peak int64
	for s := 0; s < sessions; s++ {
		var turns []modeltest.Turn
		for i := 0; i < rounds; i++ {
			turns = append(turns, modeltest.Turn{ToolCalls: []modeltest.ToolCall{{ID: fmt.Sprint("c", i), Name: "fs_read",
				Input: `{"operations":[{"mode":"Line","path":"a.txt"}]}`}}})
		}
		turns = append(turns, modeltest.Turn{Text: []string{"done"}})
		srv := modeltest.NewOpenAI(turns...)
		cmd := exec.Command(q, "--model", "openai/bench", "--no-interactive", "--output-format", "stream-json", "go")
		cmd.Dir = proj
		cmd.Env = benchEnv(dir, srv.URL)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		err := cmd.Run()
		srv.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("session %d: %w", s, err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peak {
			peak = ru.Maxrss
		}
		toolTimes := toolDurations(out.Bytes())
		reqs, done := srv.Requests(), srv.Completed()
		for i := 1; i < len(reqs) && i-1 < len(done); i++ {
			g := reqs[i].At.Sub(done[i-1])
			if i-1 < len(toolTimes) {
				g -= toolTimes[i-1]
			}
			gaps = append(gaps, g)
		}
	}
	return gaps, peak, nil
}

// benchEnv is the environment of a benchmarked q: a private home and the
// fake model.
func benchEnv(dir, modelURL string) []string {
	return append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "OPENAI_BASE_URL="+modelURL, "OPENAI_API_KEY=k")
}

func toolDurations(streamJSON []byte) []time.Duration {
	var out []time.Duration
	sc := bufio.NewScanner(bytes.NewReader(streamJSON))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Type       string  `json:"type"`
			DurationMS float64 `json:"duration_ms"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Type == "tool_result" {
			out = append(out, time.Duration(ev.DurationMS*float64(time.Millisecond)))
		}
	}
	return out
}

// fakeRoundTrip is the baseline: one streamed answer fetched with a bare
// HTTP client, the fastest any client could go against this server.
func fakeRoundTrip() (time.Duration, error) {
	var turns []modeltest.Turn
	for i := 0; i < 50; i++ {
		turns = append(turns, modeltest.Turn{Text: []string{"done"}})
	}
	srv := modeltest.NewOpenAI(turns...)
	defer srv.Close()
	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	var d []time.Duration
	for i := 0; i < 50; i++ {
		start := time.Now()
		resp, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		d = append(d, time.Since(start))
	}
	return pct(d, 50), nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[min(i, len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
