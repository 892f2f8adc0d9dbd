package tool

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bashOutput parses an execute_bash result body.
func bashOutput(t *testing.T, text string) commandOutput {
	t.Helper()
	if i := strings.Index(text, "{"); i > 0 {
		text = text[i:] // after a timeout or cancel message
	}
	var out commandOutput
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("result is not the command JSON: %v\n%s", err, text)
	}
	return out
}

func bashInput(cmd string, extra ...string) string {
	fields := map[string]any{"command": cmd}
	for i := 0; i+1 < len(extra); i += 2 {
		n, err := strconv.Atoi(extra[i+1])
		if err != nil {
			fields[extra[i]] = extra[i+1]
		} else {
			fields[extra[i]] = n
		}
	}
	b, _ := json.Marshal(fields)
	return string(b)
}

func TestExecuteBashResult(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		cmd    string
		status int
		stdout string
		stderr string
	}{
		{"echo out; echo err >&2; exit 3", 3, "out", "err"},
		{"pwd", 0, env.Cwd, ""},
		{"cat; echo eof", 0, "eof", ""}, // stdin is /dev/null, not the terminal
		{`printf 'a\xe2\x80\x8bb<&>'`, 0, "ab<&>", ""},
		{"kill -9 $$", 137, "", ""},
	}
	for _, tc := range tests {
		r := runTool(t, ExecuteBash{}, env, bashInput(tc.cmd))
		if r.IsError || r.ExitStatus != tc.status {
			t.Errorf("%q: error %v, exit %d: %s", tc.cmd, r.IsError, r.ExitStatus, resultText(r))
			continue
		}
		out := bashOutput(t, resultText(r))
		if out.ExitStatus != strconv.Itoa(tc.status) || out.Stdout != tc.stdout || out.Stderr != tc.stderr {
			t.Errorf("%q: got %+v", tc.cmd, out)
		}
	}
	mustContain(t, resultText(runTool(t, ExecuteBash{}, env, bashInput("echo '<a&b>'"))), `"stdout":"<a&b>"`)
	marker := bashOutput(t, resultText(runTool(t, ExecuteBash{}, env, bashInput(`printf %s "$AWS_EXECUTION_ENV"`)))).Stdout
	mustContain(t, marker, "AmazonQ-For-CLI Version/9.9.9")
}

func TestExecuteBashLiveOutputAndDescribe(t *testing.T) {
	env := testEnv(t)
	inv := prepare(t, ExecuteBash{}, env, bashInput("echo to-out; echo to-err >&2", "summary", "say hi"))
	if inv.Access().Command != "echo to-out; echo to-err >&2" {
		t.Errorf("Access = %+v", inv.Access())
	}
	d := describe(inv, true)
	mustContain(t, d, ansiGreen+"echo to-out; echo to-err >&2"+ansiReset)
	mustContain(t, d, "Purpose: ")
	var live bytes.Buffer
	r := inv.Run(t.Context(), &live)
	mustContain(t, live.String(), "to-out\n")
	mustContain(t, live.String(), "to-err\n")
	if r.OutputBytes != int64(len("to-out\nto-err\n")) {
		t.Errorf("OutputBytes = %d", r.OutputBytes)
	}
}

func TestExecuteBashShellOverride(t *testing.T) {
	env := testEnv(t)
	shell := filepath.Join(env.Cwd, "fakesh")
	if err := os.WriteFile(shell, []byte("#!/bin/sh\necho fake-shell \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, ShellEnvVar+"="+shell)
	out := bashOutput(t, resultText(runTool(t, ExecuteBash{}, env, bashInput("echo hi"))))
	if out.Stdout != "fake-shell -c echo hi" {
		t.Errorf("stdout = %q", out.Stdout)
	}
}

func TestExecuteBashBadInput(t *testing.T) {
	env := testEnv(t)
	for _, tc := range []struct{ input, want string }{
		{`{}`, "command is required"},
		{`{"command":"  "}`, "command is required"},
		{`{"command":1}`, `"command" must be a string`},
		{`{"command":"ls","timeout_seconds":0}`, "between 1 and 3600"},
		{`{"command":"ls","timeout_seconds":3601}`, "between 1 and 3600"},
		{`{"command":"ls","timeout_seconds":"5"}`, `"timeout_seconds" must be a number`},
		{`not json`, "JSON object"},
	} {
		mustContain(t, prepareErr(t, ExecuteBash{}, env, tc.input), tc.want)
	}
}

func TestExecuteBashTruncation(t *testing.T) {
	env := testEnv(t)
	out := bashOutput(t, resultText(runTool(t, ExecuteBash{}, env, bashInput("seq 1 5000"))))
	if !strings.HasPrefix(out.Stdout, truncatedNote+"3977\n3978\n") || !strings.HasSuffix(out.Stdout, "\n5000") {
		t.Errorf("line-capped stdout starts %q, ends %q", out.Stdout[:60], out.Stdout[len(out.Stdout)-20:])
	}
	r := runTool(t, ExecuteBash{}, env, bashInput(`yes "$(head -c 1000 /dev/zero | tr '\0' b)" | head -n 300 >&2`))
	out = bashOutput(t, resultText(r))
	body, ok := strings.CutPrefix(out.Stderr, truncatedNote)
	if !ok || len(body) > maxStreamBytes {
		t.Fatalf("byte-capped stderr: %d bytes, prefix %q", len(out.Stderr), out.Stderr[:40])
	}
	for _, l := range strings.Split(body, "\n") {
		if len(l) != 1000 {
			t.Fatalf("kept a partial line of %d bytes", len(l))
		}
	}
	if r.OutputBytes != 300*1001 {
		t.Errorf("OutputBytes = %d", r.OutputBytes)
	}
}

func TestExecuteBashHugeOutputStaysBounded(t *testing.T) {
	env := testEnv(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	r := prepare(t, ExecuteBash{}, env, bashInput(`head -c 300000000 /dev/zero | tr '\0' 'a'`)).Run(ctx, io.Discard)
	runtime.ReadMemStats(&after)
	if r.IsError || r.OutputBytes != 300_000_000 {
		t.Fatalf("error %v, OutputBytes %d", r.IsError, r.OutputBytes)
	}
	if n := len(resultText(r)); n > maxStreamBytes+200 {
		t.Errorf("result holds %d bytes", n)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MB for 300 MB of output", alloc>>20)
	}

	// A command that never stops printing is cut off by its timeout.
	r = runTool(t, ExecuteBash{}, env, bashInput("yes", "timeout_seconds", "1"))
	if !r.IsError || !strings.HasPrefix(resultText(r), "command timed out after 1s") || len(resultText(r)) > maxStreamBytes+500 {
		t.Errorf("yes: error %v, %d bytes, starts %q", r.IsError, len(resultText(r)), resultText(r)[:40])
	}
	if r.OutputBytes < 1<<20 {
		t.Errorf("yes produced only %d bytes", r.OutputBytes)
	}
}

// readPID waits until the command has written its background pid to path.
func readPID(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(path)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err == nil {
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}

// processGone reports whether pid has exited (a zombie counts as gone:
// it no longer runs, and reaping it is its new parent's business).
func processGone(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(data, ')')
	return i < 0 || i+2 >= len(data) || data[i+2] == 'Z' || data[i+2] == 'X'
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestExecuteBashKillsProcessGroup(t *testing.T) {
	env := testEnv(t)
	tests := []struct {
		name    string
		cmd     string
		timeout string
		want    string
	}{
		{"cancel", "echo started; sleep 300 & echo $! > pid; wait", "", "command was cancelled"},
		{"timeout", "echo started; sleep 300 & echo $! > pid; wait", "1", "command timed out after 1s"},
		{"ignores SIGTERM", "trap '' TERM; echo started; sleep 300 & echo $! > pid; wait", "1", "command timed out after 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(filepath.Join(env.Cwd, "pid"))
			input := bashInput(tc.cmd)
			if tc.timeout != "" {
				input = bashInput(tc.cmd, "timeout_seconds", tc.timeout)
			}
			inv := prepare(t, ExecuteBash{}, env, input)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var wg sync.WaitGroup
			var r Result
			wg.Add(1)
			go func() { defer wg.Done(); r = inv.Run(ctx, io.Discard) }()
			pid := readPID(t, filepath.Join(env.Cwd, "pid"))
			if tc.timeout == "" {
				cancel()
			}
			wg.Wait()
			if !r.IsError || !strings.HasPrefix(resultText(r), tc.want) {
				t.Errorf("result: %+v", r)
			}
			if out := bashOutput(t, resultText(r)); out.Stdout != "started" {
				t.Errorf("partial stdout = %q", out.Stdout)
			}
			waitGone(t, pid)
		})
	}
}

func TestExecuteBashBackgroundJobDoesNotHang(t *testing.T) {
	env := testEnv(t)
	r := runTool(t, ExecuteBash{}, env, bashInput("sleep 300 & echo $!"))
	out := bashOutput(t, resultText(r))
	pid, err := strconv.Atoi(out.Stdout)
	if err != nil || r.IsError || out.ExitStatus != "0" {
		t.Fatalf("result: %+v", r)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

func TestExecuteBashLeavesNoBackgroundJob(t *testing.T) {
	env := testEnv(t)
	r := runTool(t, ExecuteBash{}, env, bashInput("sleep 300 >/dev/null 2>&1 & echo $!"))
	out := bashOutput(t, resultText(r))
	pid, err := strconv.Atoi(out.Stdout)
	if err != nil || r.IsError {
		t.Fatalf("result: %+v", r)
	}
	waitGone(t, pid)
}
