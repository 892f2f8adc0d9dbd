package tool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/qdev/qdev/internal/procgroup"
)

// Process limits shared by execute_bash and use_aws.
const (
	// DefaultCommandTimeout bounds a command when the call names no timeout.
	DefaultCommandTimeout = 120 * time.Second
	// MaxCommandTimeout is the largest timeout_seconds a call may ask for.
	MaxCommandTimeout = time.Hour
	// killGrace is how long a cancelled process group gets between SIGTERM
	// and SIGKILL.
	killGrace = 2 * time.Second
	// pipeGrace is how long output is still read after the shell exits,
	// for background children that keep the pipes open.
	pipeGrace = 2 * time.Second
)

// procSpec is one process to run.
type procSpec struct {
	path    string
	args    []string
	dir     string
	env     []string
	timeout time.Duration
	// live, when not nil, receives stdout and stderr as they arrive.
	live io.Writer
	// sandbox, when not nil, wraps the command before it starts.
	sandbox func(*exec.Cmd) (*exec.Cmd, error)
}

// procResult is what a finished process left behind.
type procResult struct {
	stdout, stderr *tailBuffer
	exitCode       int
	timedOut       bool
	cancelled      bool
}

// outputBytes is the total size of both streams before truncation.
func (r *procResult) outputBytes() int64 {
	return r.stdout.Total() + r.stderr.Total()
}

// lockedWriter serialises writes from the stdout and stderr copiers to one
// live writer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// A failing terminal must not stop the command or lose its output.
	_, _ = l.w.Write(p)
	return len(p), nil
}

// runProcess starts spec in its own process group, with stdin from
// /dev/null, and waits for it. When ctx is cancelled or the timeout passes,
// the whole group gets SIGTERM and, killGrace later, SIGKILL, so
// grandchildren (a pipeline, a backgrounded job) die with the shell. The
// returned error is only for a process that could not be started.
func runProcess(ctx context.Context, spec procSpec) (*procResult, error) {
	res := &procResult{
		stdout: newTailBuffer(maxStreamBytes),
		stderr: newTailBuffer(maxStreamBytes),
	}
	cmd := exec.Command(spec.path, spec.args...)
	cmd.Dir = spec.dir
	cmd.Env = spec.env
	// A group of its own, as procgroup.New makes, but without the
	// parent-death signal: Linux delivers it when the starting OS thread
	// ends, and a sandbox is free to start commands from a locked thread
	// it then discards. The group is killed when the call ends instead.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = pipeGrace
	var stdout, stderr io.Writer = res.stdout, res.stderr
	if spec.live != nil {
		lw := lockedWriter{mu: &sync.Mutex{}, w: spec.live}
		stdout, stderr = io.MultiWriter(res.stdout, lw), io.MultiWriter(res.stderr, lw)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if spec.sandbox != nil {
		wrapped, err := spec.sandbox(cmd)
		if err != nil {
			return nil, err
		}
		cmd = wrapped
	}

	if spec.timeout <= 0 {
		spec.timeout = DefaultCommandTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, spec.timeout)
	defer cancel()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	killed := make(chan struct{})
	fired := false // written by the watcher, read after <-killed
	go func() {
		defer close(killed)
		select {
		case <-done:
			return
		case <-runCtx.Done():
		}
		fired = true
		_ = procgroup.Signal(pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(killGrace):
		}
		// Members that ignored SIGTERM or outlived the shell go too.
		_ = procgroup.Signal(pgid, syscall.SIGKILL)
	}()
	waitErr := cmd.Wait()
	close(done)
	<-killed
	// What the shell started in the background and left running (sleep
	// 1000 &) must not outlive the call, let alone q. A sandboxed command
	// runs as the child of a PID namespace's init, which takes everything
	// with it; without one, the process group is what is left to kill.
	// The group id cannot be reused while any member is alive.
	_ = procgroup.Signal(pgid, syscall.SIGKILL)

	// A process that finished just as the deadline passed was not killed
	// and keeps its own status.
	if fired {
		if ctx.Err() != nil {
			res.cancelled = true
		} else {
			res.timedOut = true
		}
	}
	res.exitCode = exitCode(cmd.ProcessState, waitErr)
	return res, nil
}

// exitCode maps a finished process to a shell-style status: the exit code,
// or 128+signal for a process killed by a signal.
func exitCode(ps *os.ProcessState, waitErr error) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	if code := ps.ExitCode(); code >= 0 {
		return code
	}
	if waitErr != nil && !errors.Is(waitErr, exec.ErrWaitDelay) {
		return -1
	}
	return 0
}

// lookPathIn finds an executable named name in the PATH of environ (the
// child's environment, which may differ from ours), falling back to our own
// PATH when environ has none.
func lookPathIn(name string, environ []string) (string, error) {
	if strings.Contains(name, "/") {
		if fi, err := os.Stat(name); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s is not an executable file", name)
		}
		return name, nil
	}
	pathVar, ok := envValue(environ, "PATH")
	if !ok {
		return exec.LookPath(name)
	}
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH", name)
}

// envValue returns the value of key in environ; the last entry wins, as
// in exec.Cmd.
func envValue(environ []string, key string) (string, bool) {
	val, found := "", false
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			val, found = v, true
		}
	}
	return val, found
}

// childEnviron returns env.Environ, or our own environment with the AI
// marker when the session left it empty, so no child ever runs unmarked.
func childEnviron(env *Env) []string {
	if env != nil && env.Environ != nil {
		return env.Environ
	}
	version := ""
	if env != nil {
		version = env.Version
	}
	return ChildEnv(os.Environ(), version)
}

// formatSeconds prints a duration as the model wrote it: "120s", "0.5s".
func formatSeconds(d time.Duration) string {
	return fmt.Sprintf("%gs", d.Seconds())
}
