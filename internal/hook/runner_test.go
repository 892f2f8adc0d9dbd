package hook

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/tool"
)

type warnLog struct {
	mu   sync.Mutex
	list []string
}

func (w *warnLog) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, s)
}

func (w *warnLog) joined() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.list, "\n")
}

type hooks = map[agentcfg.Trigger][]agentcfg.HookSpec

// newRunner runs hooks in a fresh directory with the process environment
// plus the AI marker.
func newRunner(t *testing.T, h hooks) (*Runner, *warnLog, string) {
	t.Helper()
	dir := t.TempDir()
	w := &warnLog{}
	return New(h, Options{Cwd: dir, Environ: tool.ChildEnv(os.Environ(), "9.9.9"), Warn: w.add}), w, dir
}

func spec(cmd string) agentcfg.HookSpec { return agentcfg.NewHook(cmd) }

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("stdin was not one JSON object: %v\n%s", err, data)
	}
	return m
}

// TestStopHookDecision: a stop hook blocks the end of a turn only with a
// reason, by JSON on stdout or by exit 2; every other answer lets it end.
func TestStopHookDecision(t *testing.T) {
	for _, tc := range []struct {
		cmd    string
		block  bool
		reason string
	}{
		{`echo '{"decision":"block","reason":"run the tests first"}'`, true, "run the tests first"},
		{`echo 'tests missing' >&2; exit 2`, true, "tests missing"},
		{`echo '{"decision":"block"}'`, false, ""},
		{`echo '{"decision":"approve","reason":"fine"}'`, false, ""},
		{`echo 'block'`, false, ""},
		{`echo '{"decision":"block","reason":"x"}'; exit 1`, false, ""},
	} {
		r, _, _ := newRunner(t, hooks{agentcfg.Stop: {spec(tc.cmd)}})
		block, reason := r.Stop(context.Background(), agent.StopEvent{SessionID: "s"})
		if block != tc.block || reason != tc.reason {
			t.Errorf("%s: block=%v reason=%q, want %v %q", tc.cmd, block, reason, tc.block, tc.reason)
		}
	}
}

func TestStdinEvents(t *testing.T) {
	r, w, dir := newRunner(t, hooks{
		agentcfg.AgentSpawn:       {spec(`cat > spawn.json`)},
		agentcfg.UserPromptSubmit: {spec(`cat > prompt.json; printf %s "$USER_PROMPT" > prompt.env`)},
		agentcfg.PreToolUse:       {spec(`cat > pre.json`)},
		agentcfg.PostToolUse:      {spec(`cat > post.json`)},
		agentcfg.Stop:             {spec(`cat > stop.json`)},
	})
	ctx := context.Background()
	r.AgentSpawn(ctx)
	r.UserPromptSubmit(ctx, "fix the bug\x07 now")
	mcp := &agent.HookCall{Name: "git_status", Server: "git", HostTool: "status", Input: json.RawMessage(`{"short":true}`)}
	if blocked, _ := r.PreToolUse(ctx, mcp); blocked {
		t.Fatal("blocked without exit 2")
	}
	r.PostToolUse(ctx, &agent.HookCall{Name: "fs_read", Input: json.RawMessage(`{"path":"a"}`)},
		tool.Result{Content: []model.Block{{Type: model.TextBlock, Text: "file body"}}})
	if block, _ := r.Stop(ctx, agent.StopEvent{SessionID: "conv-1", LastResponse: "all done"}); block {
		t.Fatal("a stop hook that printed nothing blocked")
	}
	if w.joined() != "" {
		t.Fatalf("warnings: %s", w.joined())
	}

	want := map[string]map[string]any{
		"spawn.json":  {"hook_event_name": "agentSpawn", "cwd": dir},
		"prompt.json": {"hook_event_name": "userPromptSubmit", "cwd": dir, "prompt": "fix the bug\x07 now"},
		"pre.json": {"hook_event_name": "preToolUse", "cwd": dir, "tool_name": "@git/status",
			"tool_input": map[string]any{"short": true}},
		"post.json": {"hook_event_name": "postToolUse", "cwd": dir, "tool_name": "fs_read",
			"tool_input": map[string]any{"path": "a"}, "tool_response": map[string]any{"success": true, "result": []any{"file body"}}},
		"stop.json": {"hook_event_name": "stop", "cwd": dir, "session_id": "conv-1", "assistant_response": "all done", "stop_hook_active": false},
	}
	for file, w := range want {
		if got := readJSON(t, filepath.Join(dir, file)); !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %v\nwant %v", file, got, w)
		}
	}
	if env, _ := os.ReadFile(filepath.Join(dir, "prompt.env")); string(env) != "fix the bug now" {
		t.Errorf("USER_PROMPT = %q (control characters must be removed)", env)
	}

	r.PostToolUse(ctx, &agent.HookCall{Name: "execute_bash"}, tool.ErrorResult("boom"))
	post := readJSON(t, filepath.Join(dir, "post.json"))
	if !reflect.DeepEqual(post["tool_response"], map[string]any{"success": false, "error": []any{"boom"}}) ||
		!reflect.DeepEqual(post["tool_input"], map[string]any{}) {
		t.Errorf("failed result: %v", post)
	}
}

func TestContextFromHooks(t *testing.T) {
	r, w, dir := newRunner(t, hooks{
		agentcfg.AgentSpawn:       {spec(`echo "branch: main"`), spec(`true`), spec(`pwd`)},
		agentcfg.UserPromptSubmit: {spec(`echo "prompt was: $USER_PROMPT"`), spec(`echo ignored; exit 1`)},
	})
	got := r.AgentSpawn(context.Background())
	want := "--- CONTEXT ENTRY BEGIN ---\n" + contextPreface + " for the entire conversation\n\nbranch: main\n\n\n" +
		dir + "\n\n\n--- CONTEXT ENTRY END ---\n\n"
	if got != want {
		t.Fatalf("agentSpawn context:\n%q\nwant\n%q", got, want)
	}
	p := r.UserPromptSubmit(context.Background(), "hello")
	if !strings.Contains(p, "prompt was: hello") || strings.Contains(p, "for the entire conversation") || strings.Contains(p, "ignored") {
		t.Fatalf("userPromptSubmit context: %q", p)
	}
	if !strings.Contains(w.joined(), `✗ userPromptSubmit "echo ignored; exit 1" failed with exit code: 1, stderr: `) {
		t.Fatalf("warnings: %s", w.joined())
	}
	empty, _, _ := newRunner(t, hooks{agentcfg.AgentSpawn: {spec(`true`)}})
	if got := empty.AgentSpawn(context.Background()); got != "" {
		t.Fatalf("no output gave %q", got)
	}
}

func TestPreToolUseExit2Blocks(t *testing.T) {
	r, w, dir := newRunner(t, hooks{agentcfg.PreToolUse: {
		{Command: `echo 'Tool execution blocked by security policy' >&2; exit 2`, Matcher: "fs_write", TimeoutMS: 5000, MaxOutputSize: 1000},
		{Command: `echo 'not me' >&2; exit 1`, Matcher: "fs_*", TimeoutMS: 5000, MaxOutputSize: 1000},
		{Command: `touch ran-for-bash`, Matcher: "execute_bash", TimeoutMS: 5000, MaxOutputSize: 1000},
	}})
	blocked, reason := r.PreToolUse(context.Background(), &agent.HookCall{Name: "fs_write", Input: json.RawMessage(`{"path":"/x"}`)})
	if !blocked || reason != "Tool execution blocked by security policy" {
		t.Fatalf("blocked=%v reason=%q", blocked, reason)
	}
	if !strings.Contains(w.joined(), "exit code: 1, stderr: not me") || !strings.Contains(w.joined(), "blocked fs_write") {
		t.Fatalf("warnings: %s", w.joined())
	}
	if _, err := os.Stat(filepath.Join(dir, "ran-for-bash")); err == nil {
		t.Fatal("a hook whose matcher does not match ran")
	}
	if blocked, _ := r.PreToolUse(context.Background(), &agent.HookCall{Name: "fs_read"}); blocked {
		t.Fatal("exit 1 blocked the call")
	}
}

func TestTimeoutKillsProcessGroup(t *testing.T) {
	r, w, dir := newRunner(t, hooks{agentcfg.Stop: {{Command: `sleep 300 & echo $! > child.pid; wait`, TimeoutMS: 300, MaxOutputSize: 100}}})
	r.Stop(context.Background(), agent.StopEvent{})
	if !strings.Contains(w.joined(), "failed after") || !strings.Contains(w.joined(), "command timed out after 300 ms") {
		t.Fatalf("warnings: %s", w.joined())
	}
	data, err := os.ReadFile(filepath.Join(dir, "child.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(data))
	// The background child was in the hook's group: it must be dead (gone
	// or a zombie awaiting its reaper), not sleeping on.
	deadline := time.Now().Add(10 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || isDead(string(stat)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("background child %s survived the timeout: %s", pid, stat)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isDead reads the state field of /proc/<pid>/stat.
func isDead(stat string) bool {
	i := strings.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && strings.ContainsRune("ZX", rune(stat[i+2]))
}

func TestOutputCap(t *testing.T) {
	r, _, _ := newRunner(t, hooks{
		agentcfg.UserPromptSubmit: {{Command: `head -c 5000 /dev/zero | tr '\0' a`, TimeoutMS: 5000, MaxOutputSize: 100}},
		agentcfg.AgentSpawn:       {spec(`head -c 50000 /dev/zero | tr '\0' b`)},
	})
	got := r.UserPromptSubmit(context.Background(), "x")
	if !strings.Contains(got, "\n\n"+strings.Repeat("a", 100-len(truncatedMarker))+" ... truncated\n\n") {
		t.Fatalf("capped output: %q", got)
	}
	spawn := r.AgentSpawn(context.Background())
	if n := strings.Count(spawn, "b"); n > agentcfg.DefaultMaxOutputSize || n < agentcfg.DefaultMaxOutputSize-len(truncatedMarker) {
		t.Fatalf("default cap kept %d bytes", n)
	}
}

func TestCapOutputUTF8(t *testing.T) {
	w := &capWriter{limit: 16}
	fmt.Fprint(w, strings.Repeat("é", 20))
	got := capOutput(w, 16)
	if len(got) > 16 || !strings.HasSuffix(got, truncatedMarker) || !strings.HasPrefix(got, "é") {
		t.Fatalf("%q", got)
	}
	w = &capWriter{limit: 3}
	fmt.Fprint(w, "abcdef")
	if got := capOutput(w, 3); got != "abc" {
		t.Fatalf("a cap below the marker's length: %q", got)
	}
}

// TestConcurrent proves the hooks of one trigger run at the same time
// without timing anything: each waits until all three have started, which
// can only happen if they run concurrently; run one by one, the first
// would time out.
func TestConcurrent(t *testing.T) {
	barrier := func(name string) agentcfg.HookSpec {
		return agentcfg.HookSpec{Command: `touch ` + name + `; while [ ! -e a ] || [ ! -e b ] || [ ! -e c ]; do sleep 0.01; done; echo ` + name,
			TimeoutMS: 20000, MaxOutputSize: 100}
	}
	r, w, _ := newRunner(t, hooks{agentcfg.UserPromptSubmit: {barrier("a"), barrier("b"), barrier("c")}})
	got := r.UserPromptSubmit(context.Background(), "go")
	if w.joined() != "" {
		t.Fatalf("warnings: %s", w.joined())
	}
	if !strings.Contains(got, "\n\na\n\n\nb\n\n\nc\n\n\n") {
		t.Fatalf("outputs not all there, in configuration order: %q", got)
	}
}

func TestCache(t *testing.T) {
	now := time.Unix(1000, 0)
	counter := func(file string, ttl int64) agentcfg.HookSpec {
		s := spec(`n=$(cat ` + file + ` 2>/dev/null || echo 0); n=$((n+1)); echo $n > ` + file + `; echo run$n`)
		s.CacheTTLSeconds = ttl
		return s
	}
	dir := t.TempDir()
	r := New(hooks{
		agentcfg.UserPromptSubmit: {counter("ttl", 60), counter("nottl", 0)},
		agentcfg.AgentSpawn:       {counter("spawn", 0)},
	}, Options{Cwd: dir, Now: func() time.Time { return now }})
	ctx := context.Background()
	first := r.UserPromptSubmit(ctx, "p")
	if !strings.Contains(first, "run1\n\n\nrun1") {
		t.Fatalf("first: %q", first)
	}
	if second := r.UserPromptSubmit(ctx, "p"); !strings.Contains(second, "run1\n\n\nrun2") {
		t.Fatalf("within the TTL: %q", second)
	}
	now = now.Add(61 * time.Second)
	if third := r.UserPromptSubmit(ctx, "p"); !strings.Contains(third, "run2\n\n\nrun3") {
		t.Fatalf("after the TTL: %q", third)
	}
	for range 3 {
		if s := r.AgentSpawn(ctx); !strings.Contains(s, "run1") {
			t.Fatalf("agentSpawn ran again: %q", s)
		}
	}
	r.Reset()
	if s := r.AgentSpawn(ctx); !strings.Contains(s, "run2") {
		t.Fatalf("agentSpawn after Reset: %q", s)
	}
}

func TestFailuresAreNotCached(t *testing.T) {
	r, w, dir := newRunner(t, hooks{agentcfg.AgentSpawn: {spec(`if [ -e ok ]; then echo ready; else exit 3; fi`)}})
	if s := r.AgentSpawn(context.Background()); s != "" {
		t.Fatalf("failed hook gave context %q", s)
	}
	if !strings.Contains(w.joined(), "exit code: 3") {
		t.Fatalf("warnings: %s", w.joined())
	}
	if err := os.WriteFile(filepath.Join(dir, "ok"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if s := r.AgentSpawn(context.Background()); !strings.Contains(s, "ready") {
		t.Fatalf("retry: %q", s)
	}
}

func TestEnvironmentCarriesMarker(t *testing.T) {
	r, _, _ := newRunner(t, hooks{agentcfg.UserPromptSubmit: {spec(`printf 'marker=%s' "$AWS_EXECUTION_ENV"`)}})
	if got := r.UserPromptSubmit(context.Background(), ""); !strings.Contains(got, "marker=AmazonQ-For-CLI Version/9.9.9") {
		t.Fatalf("explicit environ: %q", got)
	}
	t.Setenv("AWS_EXECUTION_ENV", "CloudShell")
	d := New(hooks{agentcfg.UserPromptSubmit: {spec(`printf 'marker=%s' "$AWS_EXECUTION_ENV"`)}}, Options{Cwd: t.TempDir()})
	if got := d.UserPromptSubmit(context.Background(), ""); !strings.Contains(got, "marker=CloudShell AmazonQ-For-CLI Version/") {
		t.Fatalf("default environ: %q", got)
	}
}

func TestCancelledTurnIsQuiet(t *testing.T) {
	r, w, _ := newRunner(t, hooks{agentcfg.Stop: {spec(`sleep 300`)}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Stop(ctx, agent.StopEvent{})
	if w.joined() != "" {
		t.Fatalf("an interrupted hook warned: %s", w.joined())
	}
}

func TestListAndFormat(t *testing.T) {
	r, _, _ := newRunner(t, hooks{
		agentcfg.PreToolUse: {{Command: "./check.sh", Matcher: "fs_*"}},
		agentcfg.AgentSpawn: {spec("git status")},
	})
	want := "agentSpawn:\n  - git status\npreToolUse:\n  - ./check.sh (matcher: fs_*)\n"
	if got := FormatList(r.List()); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := FormatList(nil); !strings.HasPrefix(got, "No hooks are configured.") {
		t.Fatalf("empty: %q", got)
	}
}
