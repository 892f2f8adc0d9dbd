package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/mcp"
	"github.com/qdev/qdev/internal/model/modeltest"
	"github.com/qdev/qdev/internal/tool"
)

const mcpCalls = 300

func everythingBin() (string, error) {
	bin, err := filepath.Abs(filepath.Join(".mcp-servers", "node_modules", ".bin", "mcp-server-everything"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s is not installed (run .ci/run): %w", bin, err)
	}
	return bin, nil
}

// connectDirect starts the server and completes initialize with the SDK alone.
func connectDirect(bin string) (*sdk.ClientSession, time.Duration, error) {
	start := time.Now()
	client := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, nil)
	cmd := exec.Command(bin, "stdio")
	s, err := client.Connect(context.Background(), &sdk.CommandTransport{Command: cmd}, nil)
	return s, time.Since(start), err
}

// mcpStartup measures, for a q run with three stdio servers, the time from
// process start to the first model request, and the slowest of the three
// servers' own start-up (spawn to initialize answered) when the three are
// started together by a bare SDK client.
func mcpStartup(q, dir string) (qdev, slowest time.Duration, err error) {
	bin, err := everythingBin()
	if err != nil {
		return 0, 0, err
	}
	// The servers start together, as in q, so they share the cores the same way.
	type started struct {
		d   time.Duration
		err error
	}
	var baselines []time.Duration
	for run := 0; run < 5; run++ {
		ch := make(chan started, 3)
		for i := 0; i < 3; i++ {
			go func() {
				s, d, err := connectDirect(bin)
				if err == nil {
					// Ready means its tools are known, as q needs them.
					start := time.Now()
					_, err = s.ListTools(context.Background(), nil)
					d += time.Since(start)
					s.Close()
				}
				ch <- started{d, err}
			}()
		}
		var worst time.Duration
		for i := 0; i < 3; i++ {
			r := <-ch
			if r.err != nil {
				return 0, 0, r.err
			}
			worst = max(worst, r.d)
		}
		baselines = append(baselines, worst)
	}
	slowest = pct(baselines, 50)
	proj := filepath.Join(dir, "mcp-project")
	agents := filepath.Join(proj, ".amazonq", "cli-agents")
	if err := os.MkdirAll(agents, 0o755); err != nil {
		return 0, 0, err
	}
	servers := map[string]any{}
	for _, n := range []string{"one", "two", "three"} {
		servers[n] = map[string]any{"command": bin, "args": []string{"stdio"}}
	}
	agent, _ := json.Marshal(map[string]any{"name": "bench", "tools": []string{"*"}, "mcpServers": servers})
	if err := os.WriteFile(filepath.Join(agents, "bench.json"), agent, 0o644); err != nil {
		return 0, 0, err
	}
	var runs []time.Duration
	for i := 0; i < 5; i++ {
		srv := modeltest.NewOpenAI(modeltest.Turn{Text: []string{"done"}})
		cmd := exec.Command(q, "--model", "openai/bench", "--agent", "bench", "--trust-workspace", "--no-interactive", "go")
		cmd.Dir = proj
		cmd.Env = benchEnv(dir, srv.URL)
		start := time.Now()
		err := cmd.Run()
		reqs := srv.Requests()
		srv.Close()
		if err != nil || len(reqs) == 0 {
			return 0, 0, fmt.Errorf("q with MCP servers: %v (%d requests)", err, len(reqs))
		}
		if len(reqs[0].Tools) < 10 {
			return 0, 0, fmt.Errorf("the first request offered %d tools: MCP tools missing", len(reqs[0].Tools))
		}
		runs = append(runs, reqs[0].At.Sub(start))
	}
	return pct(runs, 50), slowest, nil
}

// mcpCallOverhead returns the p50 round trip of an MCP tool call through
// qdev's manager and straight through the SDK, against the same server.
func mcpCallOverhead() (viaQdev, direct time.Duration, err error) {
	bin, err := everythingBin()
	if err != nil {
		return 0, 0, err
	}
	args := json.RawMessage(`{"message":"ping"}`)
	s, _, err := connectDirect(bin)
	if err != nil {
		return 0, 0, err
	}
	var d []time.Duration
	for i := 0; i < mcpCalls; i++ {
		start := time.Now()
		if _, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: "echo", Arguments: args}); err != nil {
			return 0, 0, err
		}
		d = append(d, time.Since(start))
	}
	s.Close()

	m := mcp.Start(context.Background(), []mcp.ServerConfig{{Name: "ev", Type: mcp.TypeStdio, Command: bin,
		Args: []string{"stdio"}, Timeout: mcp.DefaultTimeout}}, mcp.Options{Environ: os.Environ()})
	defer m.Close()
	m.Wait(context.Background(), 30*time.Second)
	var echo tool.Tool
	for _, t := range m.Tools() {
		if t.Spec().Name == "echo" {
			echo = t
		}
	}
	if echo == nil {
		return 0, 0, fmt.Errorf("the manager offers no echo tool")
	}
	var q []time.Duration
	for i := 0; i < mcpCalls; i++ {
		start := time.Now()
		inv, err := echo.Prepare(&tool.Env{}, args)
		if err != nil {
			return 0, 0, err
		}
		if r := inv.Run(context.Background(), io.Discard); r.IsError {
			return 0, 0, fmt.Errorf("echo failed: %+v", r)
		}
		q = append(q, time.Since(start))
	}
	return pct(q, 50), pct(d, 50), nil
}
