//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// RunHelper is the helper's entry point; args are the arguments after
// HelperArg: --policy JSON [--path PATH] -- ARGV... It confines itself as
// the policy says and then runs PATH (default ARGV[0], looked up in $PATH)
// with ARGV and the inherited environment, directory and standard
// streams. It returns the command's exit status, or ExitSetupFailed or
// ExitNotFound after a message on stderr; it never runs the command
// unconfined.
func RunHelper(args []string) int {
	// Landlock and no_new_privs go on this thread only, and the command
	// is started from it; the thread is never unlocked.
	runtime.LockOSThread()
	c, path, argv, err := parseHelperArgs(args)
	if err != nil {
		return fail(ExitSetupFailed, err)
	}
	if c.Namespaces {
		// q's death must take the sandbox with it: as the PID
		// namespace's init, the helper's death kills everything inside.
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
			return fail(ExitSetupFailed, fmt.Errorf("cannot tie the sandbox to q: %v", err))
		}
		if c.Parent > 0 {
			if _, err := os.Stat("/proc/" + strconv.Itoa(c.Parent)); err != nil {
				return fail(ExitSetupFailed, errors.New("q exited before the command started"))
			}
		}
		if err := setupMounts(c); err != nil {
			return fail(ExitSetupFailed, fmt.Errorf("cannot sandbox the command: %v", err))
		}
		if c.Probe {
			return 0
		}
	}
	if c.Probe {
		return fail(ExitSetupFailed, errors.New("a probe needs namespaces"))
	}
	abi := c.ABI
	if abi < 1 {
		if abi, err = probe(); abi < 1 {
			return fail(ExitSetupFailed, fmt.Errorf("cannot sandbox the command: %v", err))
		}
	}
	if err := restrictThread(c, abi); err != nil {
		return fail(ExitSetupFailed, fmt.Errorf("cannot sandbox the command: %v", err))
	}
	if !c.Namespaces {
		return execve(path, argv)
	}
	// The mounts are done: the command must not inherit the capability.
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fail(ExitSetupFailed, fmt.Errorf("cannot drop capabilities: %v", err))
	}
	return runInit(path, argv)
}

// execve replaces the helper with the command; it returns only on failure.
func execve(path string, argv []string) int {
	err := syscall.Exec(path, argv, os.Environ())
	return fail(startFailure(err), fmt.Errorf("%s: %v", path, err))
}

func startFailure(err error) int {
	if errors.Is(err, syscall.ENOENT) {
		return ExitNotFound
	}
	return ExitSetupFailed
}

// forwarded are the signals init passes on to the command. q signals the
// whole process group, which the command shares, so they mostly arrive
// twice; without a handler, init would not receive them at all (the
// kernel drops them) and, with Go's default one, would die and take the
// command down with SIGKILL before it could clean up.
var forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// runInit starts the command as the only child of the PID namespace's
// init, reaps whatever gets orphaned there, and returns the command's
// status (128+n for signal n, as a shell does). When it returns, the
// kernel kills every process left in the namespace.
func runInit(path string, argv []string) int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}})
	if err != nil {
		return fail(startFailure(err), fmt.Errorf("%s: %v", path, err))
	}
	go func() {
		for s := range sigs {
			_ = syscall.Kill(pid, s.(syscall.Signal))
		}
	}()
	for {
		var ws syscall.WaitStatus
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fail(ExitSetupFailed, fmt.Errorf("waiting for the command: %v", err))
		}
		if wpid != pid {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}
