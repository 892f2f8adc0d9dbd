package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/procgroup"
)

// outcome is how one hook command ended.
type outcome struct {
	// exit is the exit status; -1 when the command did not finish (killed
	// by a signal, or err is set).
	exit int
	// output is stdout after exit 0, else stderr, capped (see capOutput).
	output string
	// err is a failure to start, a timeout or an interruption.
	err      error
	duration time.Duration
}

// maxTimeout bounds timeout_ms so a huge value cannot overflow a Duration.
const maxTimeout = 24 * time.Hour

// errInterrupted marks a hook stopped because the turn was cancelled.
var errInterrupted = errors.New("interrupted")

// errClosed marks a hook not run, or killed, because its Runner closed.
var errClosed = errors.New("stopped: q is exiting")

// execute runs command with bash -c in cwd, stdin as its standard input,
// in its own process group, which is killed as a whole when the command
// ends, at the timeout, when ctx ends or when live closes, so commands it
// started in the background die with it.
func execute(ctx context.Context, h agentcfg.HookSpec, cwd string, env []string, stdin []byte, live *groups) outcome {
	timeout := time.Duration(min(h.TimeoutMS, int64(maxTimeout/time.Millisecond))) * time.Millisecond
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, shell[0], append(shell[1:], h.Command)...)
	cmd.Dir = cwd
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stdin) // a hook that ignores stdin is fine: EPIPE is not an error
	stdout := &capWriter{limit: h.MaxOutputSize}
	stderr := &capWriter{limit: h.MaxOutputSize}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	procgroup.New(cmd)
	cmd.Cancel = func() error { return procgroup.Kill(cmd) }
	// A process that left the group could keep the pipes open; stop
	// waiting for them shortly after the kill.
	cmd.WaitDelay = 500 * time.Millisecond

	start := time.Now()
	err := cmd.Start()
	if err == nil {
		if !live.add(cmd) {
			_ = procgroup.Kill(cmd)
		}
		err = cmd.Wait()
		// What the hook left running in the background ends with it:
		// a hook is a command, not a way to start daemons that outlive
		// q. The group id cannot have been reused while members remain.
		_ = procgroup.Kill(cmd)
		live.remove(cmd)
	}
	o := outcome{exit: -1, duration: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case live.isClosed():
		o.err = errClosed
	case ctx.Err() != nil:
		o.err = errInterrupted
	case tctx.Err() != nil:
		o.err = fmt.Errorf("command timed out after %d ms", timeout.Milliseconds())
	case err == nil:
		o.exit = 0
	case errors.As(err, &ee):
		o.exit = ee.ExitCode()
	default:
		o.err = fmt.Errorf("failed to execute command: %v", err)
	}
	if o.err != nil {
		return o
	}
	if o.exit == 0 {
		o.output = capOutput(stdout, h.MaxOutputSize)
	} else {
		o.output = capOutput(stderr, h.MaxOutputSize)
	}
	return o
}

// capWriter keeps the first limit bytes written to it and counts the rest,
// so a chatty command neither blocks on a full pipe nor fills memory.
type capWriter struct {
	limit int64
	buf   bytes.Buffer
	total int64
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.limit - int64(w.buf.Len()); room > 0 {
		w.buf.Write(p[:min(int64(len(p)), room)])
	}
	w.total += int64(len(p))
	return len(p), nil
}

const truncatedMarker = " ... truncated"

// capOutput returns the captured text, at most limit bytes long. The Q CLI
// cuts at limit and then appends " ... truncated", going over the limit;
// here the marker fits inside it, because the user guide promises output
// "cut to at most 10 KB" (spec check 57). Invalid UTF-8 is replaced, as
// the Q CLI's lossy decoding does.
func capOutput(w *capWriter, limit int64) string {
	s := strings.ToValidUTF8(w.buf.String(), "\uFFFD")
	if w.total > limit || int64(len(s)) > limit {
		keep := limit - int64(len(truncatedMarker))
		marker := truncatedMarker
		if keep < 0 {
			keep, marker = limit, ""
		}
		s = truncateUTF8(s, int(keep)) + marker
	}
	return s
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
