//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// RunHelper is the helper's entry point; args are the arguments after
// HelperArg (see config.args), then [--path PATH] -- ARGV... It confines
// itself as the arguments say and then runs PATH (default ARGV[0], looked
// up in $PATH) with ARGV and the inherited environment, directory and
// standard streams. It returns the command's exit status, or
// ExitSetupFailed or ExitNotFound after a message on stderr; it never runs
// the command unconfined.
func RunHelper(args []string) int {
	// Landlock, no_new_privs and the dropped capabilities go on this
	// thread only, and the command is started from it; the thread is
	// never unlocked.
	runtime.LockOSThread()
	// The helper lives for one command: sampling its allocations would
	// only cost start-up time.
	runtime.MemProfileRate = 0
	c, path, argv, err := parseHelperArgs(args)
	if err != nil {
		return fail(ExitSetupFailed, err)
	}
	if c.Namespaces {
		if err := enterNamespaces(c); err != nil {
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
	// The mounts are done: the command must not inherit the capabilities.
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fail(ExitSetupFailed, fmt.Errorf("cannot drop capabilities: %v", err))
	}
	return runInit(path, argv)
}

// enterNamespaces finishes what q's fork began: the helper is init of
// fresh user, mount and PID namespaces, with no ids mapped. It maps q's
// ids, dies with q, and sets up the command's view of the file system.
func enterNamespaces(c config) error {
	// Whoever holds an unmapped id may not change group membership; the
	// kernel asks for setgroups to be denied before a group map written
	// without privilege.
	if err := writeProcFile("setgroups", "deny"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := writeProcFile("uid_map", fmt.Sprintf("%d %d 1\n", c.UID, c.UID)); err != nil {
		return err
	}
	if err := writeProcFile("gid_map", fmt.Sprintf("%d %d 1\n", c.GID, c.GID)); err != nil {
		return err
	}
	// q's death must take the sandbox with it: as the PID namespace's
	// init, the helper's death kills everything inside.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("tying the sandbox to q: %v", err)
	}
	if c.Parent > 0 && parent() != c.Parent {
		return errors.New("q exited before the command started")
	}
	if c.Probe {
		return applyMounts(probeSteps())
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("finding the working directory: %v", err)
	}
	steps, err := planMounts(c, wd)
	if err != nil {
		return err
	}
	if err := applyMounts(steps); err != nil {
		return err
	}
	// The working directory still refers to the mount it was entered
	// on, now hidden below the new ones.
	if err := os.Chdir(wd); err != nil {
		return fmt.Errorf("re-entering %s: %v", wd, err)
	}
	return nil
}

// writeProcFile writes data to /proc/self/name in one write, as the
// kernel wants for id maps.
func writeProcFile(name, data string) error {
	f, err := os.OpenFile("/proc/self/"+name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing /proc/self/%s: %v", name, err)
	}
	return nil
}

// parent returns the helper's parent as seen from /proc, which belongs to
// q's PID namespace: in the helper's own, q has no pid (getppid says 0).
func parent() int {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold anything.
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// applyMounts makes the steps' system calls in order.
func applyMounts(steps []mountStep) error {
	for _, s := range steps {
		var err error
		if s.setattr() {
			err = unix.MountSetattr(unix.AT_FDCWD, s.target, uint(s.atFlags),
				&unix.MountAttr{Attr_set: s.set, Attr_clr: s.clr, Propagation: s.propag})
		} else {
			err = unix.Mount(s.source, s.target, s.fstype, s.flags, s.data)
		}
		switch {
		case err == nil, s.optional:
		case s.unreachable && (errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.ENOTDIR)):
		default:
			return fmt.Errorf("%s: %v", s.what, err)
		}
	}
	return nil
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
// twice; the MCP client signals the helper alone. Without a handler, init
// would not receive them at all (the kernel drops them) and, with Go's
// default one, would die and take the command down with SIGKILL before it
// could clean up.
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
