// Package hook runs an agent's hooks (agentSpawn, userPromptSubmit,
// preToolUse, postToolUse, stop) the way the Q CLI does: bash -c in the
// working directory, one JSON event on stdin, all hooks of a trigger at
// once, each in its own process group with a timeout and an output cap.
package hook

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/tool"
	"github.com/qdev/qdev/internal/version"
)

// Options configure a Runner.
type Options struct {
	// Cwd is where hooks run and the "cwd" of their events.
	Cwd string
	// Environ is the hooks' environment; it should carry the AI marker
	// (tool.ChildEnv). Nil means the process environment with the marker.
	Environ []string
	// Warn receives a one-line message for each hook that failed, timed
	// out or blocked a tool; nil discards them.
	Warn func(string)
	// Now is the clock of the output cache; nil means time.Now.
	Now func() time.Time
}

// Runner runs one agent's hooks. It implements agent.Hooks and is safe
// for concurrent use.
type Runner struct {
	hooks map[agentcfg.Trigger][]agentcfg.HookSpec
	opts  Options

	mu    sync.Mutex
	cache map[cacheKey]cached
	// live are the process groups of hooks running now, for Close.
	live groups
}

var _ agent.Hooks = (*Runner)(nil)

// cacheKey is the Q CLI's: the trigger and the hook itself, not the tool
// call or prompt it ran for.
type cacheKey struct {
	trigger agentcfg.Trigger
	spec    agentcfg.HookSpec
}

type cached struct {
	output  string
	expires time.Time // zero: never (agentSpawn)
}

// New returns a Runner for hooks (an agent's Hooks, possibly merged with
// the legacy profile hooks).
func New(hooks map[agentcfg.Trigger][]agentcfg.HookSpec, opts Options) *Runner {
	if opts.Environ == nil {
		opts.Environ = tool.ChildEnv(os.Environ(), version.Version)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Warn == nil {
		opts.Warn = func(string) {}
	}
	return &Runner{hooks: hooks, opts: opts, cache: map[cacheKey]cached{}}
}

// result is one hook's outcome, in configuration order.
type result struct {
	spec agentcfg.HookSpec
	outcome
}

// run runs the hooks of trig that match toolName ("" for triggers without
// a tool) concurrently, taking fresh cached outputs instead of running,
// and caches the new successes. Failures are warned about here, except a
// preToolUse exit 2, which the caller reports as a block.
func (r *Runner) run(ctx context.Context, trig agentcfg.Trigger, ev event, toolName string) []result {
	specs := r.hooks[trig]
	if len(specs) == 0 || r.live.isClosed() {
		return nil
	}
	ev.HookEventName, ev.Cwd = string(trig), r.opts.Cwd
	stdin, _ := json.Marshal(ev)
	env := r.opts.Environ
	if ev.Prompt != nil {
		env = withEnv(env, "USER_PROMPT", promptEnv(*ev.Prompt))
	}
	results := make([]result, len(specs))
	ran := make([]bool, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		results[i].spec = spec
		results[i].exit = -1
		if trig.ToolTrigger() && !Matches(spec.Matcher, toolName) {
			continue
		}
		ran[i] = true
		if out, ok := r.cached(trig, spec); ok {
			results[i].exit, results[i].output = 0, out
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i].outcome = execute(ctx, spec, r.opts.Cwd, env, stdin, &r.live)
		}()
	}
	wg.Wait()
	var out []result
	for i, res := range results {
		if !ran[i] {
			continue
		}
		switch {
		case res.err == errInterrupted || res.err == errClosed:
		case res.err != nil:
			r.opts.Warn(fmt.Sprintf("✗ %s failed after %.2f s: %v", res.spec.Command, res.duration.Seconds(), res.err))
		case res.exit == 0:
			r.store(trig, res.spec, res.output)
		case res.exit == 2 && trig == agentcfg.PreToolUse:
		default:
			r.opts.Warn(fmt.Sprintf("✗ %s %q failed with exit code: %d, stderr: %s",
				trig, res.spec.Command, res.exit, strings.TrimRight(res.output, "\n")))
		}
		out = append(out, res)
	}
	return out
}

func (r *Runner) cached(trig agentcfg.Trigger, spec agentcfg.HookSpec) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[cacheKey{trig, spec}]
	if !ok || !c.expires.IsZero() && !r.opts.Now().Before(c.expires) {
		return "", false
	}
	return c.output, true
}

// store caches a successful output: agentSpawn for the session (the Q CLI
// never expires it, although its docs say it is not cached), the others
// for cache_ttl_seconds, so 0 means not at all.
func (r *Runner) store(trig agentcfg.Trigger, spec agentcfg.HookSpec, output string) {
	var expires time.Time
	if trig != agentcfg.AgentSpawn {
		if spec.CacheTTLSeconds <= 0 {
			return
		}
		ttl := time.Duration(min(spec.CacheTTLSeconds, int64(maxTimeout/time.Second))) * time.Second
		expires = r.opts.Now().Add(ttl)
	}
	r.mu.Lock()
	r.cache[cacheKey{trig, spec}] = cached{output: output, expires: expires}
	r.mu.Unlock()
}

// Reset forgets every cached output, so agentSpawn hooks run again: call
// it when the conversation is cleared (/clear), as the user guide says
// conversation_start hooks are re-run then.
func (r *Runner) Reset() {
	r.mu.Lock()
	clear(r.cache)
	r.mu.Unlock()
}

// Close kills every hook still running, with its process group, and keeps
// new ones from starting: call it when q exits, so no hook outlives it.
func (r *Runner) Close() { r.live.close() }

// AgentSpawn returns the context from the agentSpawn hooks, formatted for
// the system prompt ("" when none printed anything). The hooks run on the
// first call; later calls reuse their output until Reset. As in the Q CLI
// a failed hook is not cached and is tried again on the next call, so the
// caller may call this for every request.
func (r *Runner) AgentSpawn(ctx context.Context) string {
	return formatContext(r.run(ctx, agentcfg.AgentSpawn, event{}, ""), true)
}

// UserPromptSubmit runs the userPromptSubmit hooks with the prompt and
// returns their context for that prompt ("" when none printed anything).
func (r *Runner) UserPromptSubmit(ctx context.Context, prompt string) string {
	return formatContext(r.run(ctx, agentcfg.UserPromptSubmit, event{Prompt: &prompt}, ""), false)
}

// PreToolUse runs the matching preToolUse hooks; any that exits with 2
// blocks the call, and their stderr is the reason given to the model.
// Other output is ignored, as in the Q CLI.
func (r *Runner) PreToolUse(ctx context.Context, c *agent.HookCall) (bool, string) {
	name := ToolName(c)
	var reasons []string
	for _, res := range r.run(ctx, agentcfg.PreToolUse, event{ToolName: name, ToolInput: toolInput(c.Input)}, name) {
		if res.err == nil && res.exit == 2 {
			reasons = append(reasons, strings.TrimRight(res.output, "\n"))
			r.opts.Warn(fmt.Sprintf("✗ preToolUse %q blocked %s: %s", res.spec.Command, name, strings.TrimRight(res.output, "\n")))
		}
	}
	return len(reasons) > 0, strings.Join(reasons, "\n")
}

// PostToolUse runs the matching postToolUse hooks with the result.
func (r *Runner) PostToolUse(ctx context.Context, c *agent.HookCall, res tool.Result) {
	name := ToolName(c)
	r.run(ctx, agentcfg.PostToolUse, event{ToolName: name, ToolInput: toolInput(c.Input), ToolResponse: responseOf(res)}, name)
}

// Stop runs the stop hooks with the session id and the assistant's last
// answer. A hook that exits 0 printing {"decision": "block", "reason":
// "..."} makes the agent go on with that reason (the reasons of several
// such hooks joined); any other output is ignored, as in the Q CLI.
func (r *Runner) Stop(ctx context.Context, e agent.StopEvent) (string, bool) {
	ev := event{SessionID: e.SessionID, AssistantResponse: &e.Response, StopHookActive: e.Continued}
	var reasons []string
	for _, res := range r.run(ctx, agentcfg.Stop, ev, "") {
		var ans stopAnswer
		if res.err != nil || res.exit != 0 || json.Unmarshal([]byte(strings.TrimSpace(res.output)), &ans) != nil {
			continue
		}
		if strings.EqualFold(ans.Decision, "block") {
			reason := strings.TrimSpace(ans.Reason)
			if reason == "" {
				reason = fmt.Sprintf("the stop hook %q asked to continue", res.spec.Command)
			}
			reasons = append(reasons, reason)
		}
	}
	return strings.Join(reasons, "\n"), len(reasons) > 0
}
