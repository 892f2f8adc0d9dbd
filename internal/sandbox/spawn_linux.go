//go:build linux

package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

var (
	helperOnce          sync.Once
	helperFound, selfQ  string
	helperFoundIsReexec bool

	nsMu    sync.Mutex
	nsCache = map[string]bool{}
)

// helperPath returns the helper to start and whether it is q re-executing
// itself. q trusts only the directory of its own resolved executable: not
// $PATH, the working directory or any variable a repository could set.
func helperPath(override string) (path string, reexec bool) {
	if override != "" {
		return override, false
	}
	helperOnce.Do(func() {
		helperFound, helperFoundIsReexec = "/proc/self/exe", true
		exe, err := os.Executable()
		if err != nil {
			return
		}
		if exe, err = filepath.EvalSymlinks(exe); err != nil {
			return
		}
		selfQ = exe
		cand := filepath.Join(filepath.Dir(exe), HelperName)
		if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			helperFound, helperFoundIsReexec = cand, false
		}
	})
	return helperFound, helperFoundIsReexec
}

// binaries returns q's executable, the helper and q's other helpers that
// exist, the files a sandboxed command must never replace.
func binaries(helper string) []string {
	helperPath("")
	var out []string
	for _, p := range []string{selfQ, helper} {
		if filepath.IsAbs(p) && p != "/proc/self/exe" {
			out = append(out, p)
		}
	}
	if filepath.IsAbs(selfQ) {
		for _, name := range otherHelpers {
			if p := filepath.Join(filepath.Dir(selfQ), name); fileExists(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// otherHelpers are the other programs q starts from its own folder:
// knowledge.HelperName (named here so the sandbox helper, built from this
// package, does not link the knowledge package).
var otherHelpers = []string{"qdev-knowledge"}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// namespacesWork reports whether helper can be started in fresh user,
// mount, PID and network namespaces and set up its mounts there. The
// answer is probed once per helper by starting it for real: sysctls,
// AppArmor and seccomp each can forbid some of it.
func namespacesWork(helper string) bool {
	nsMu.Lock()
	defer nsMu.Unlock()
	if ok, seen := nsCache[helper]; seen {
		return ok
	}
	c := config{Probe: true, Namespaces: true, UID: os.Geteuid(), GID: os.Getegid(), Parent: os.Getpid()}
	cmd := &exec.Cmd{Path: helper, Args: append([]string{HelperName, HelperArg}, c.args()...)}
	setProcAttr(cmd, c)
	ok := cmd.Run() == nil
	nsCache[helper] = ok
	return ok
}

// setProcAttr adds to cmd the namespaces c asks for.
//
// They are asked for at q's fork, with CLONE_VM and CLONE_VFORK added:
// Go otherwise forks a child that gets a user namespace as a full copy of
// q, copying the page tables of tens of megabytes and leaving q to take a
// copy-on-write fault on every page it writes afterwards, which cost more
// than everything else the sandbox does. As a vfork, the child borrows
// q's memory until it executes the helper. That rules out Go writing the
// child's user and group id maps (q would wait for the child, the child
// for q), so the helper writes them itself: it starts unmapped, with
// CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID as ambient capabilities, valid
// in its own user namespace only, maps q's ids to themselves, sets up its
// mounts and drops them before starting the command.
//
// Without namespaces the helper makes way for the command, which then
// dies with q.
func setProcAttr(cmd *exec.Cmd, c config) {
	attr := &syscall.SysProcAttr{}
	if cmd.SysProcAttr != nil {
		copied := *cmd.SysProcAttr
		attr = &copied
	}
	cmd.SysProcAttr = attr
	if !c.Namespaces {
		if attr.Pdeathsig == 0 {
			attr.Pdeathsig = syscall.SIGKILL
		}
		return
	}
	attr.Cloneflags |= syscall.CLONE_VM | syscall.CLONE_VFORK | syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID
	if !c.Network {
		attr.Cloneflags |= syscall.CLONE_NEWNET
	}
	attr.UidMappings, attr.GidMappings = nil, nil
	attr.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_SETUID, unix.CAP_SETGID}
	// Pdeathsig cannot be asked for here: Go checks the parent's pid after
	// setting it, and in a new PID namespace the parent has none, so the
	// child would kill itself. The helper sets it.
	attr.Pdeathsig = 0
}
