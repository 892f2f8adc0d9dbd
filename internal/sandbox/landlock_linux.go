//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// probeKernel asks the kernel for its Landlock ABI. Like go-landlock, it
// counts an ABI 6+ kernel without the signal-scoping fix (erratum 2) as
// ABI 5, so the number shown is the one enforcement will use.
func probeKernel() (int, error) {
	v, err := llsys.LandlockGetABIVersion()
	switch {
	case errors.Is(err, syscall.ENOSYS):
		return 0, errors.New("this kernel has no Landlock support (Linux 5.13 or later built with CONFIG_SECURITY_LANDLOCK is needed)")
	case errors.Is(err, syscall.EOPNOTSUPP):
		return 0, errors.New("the kernel has Landlock but it is disabled: add landlock to the lsm= boot parameter")
	case err != nil:
		return 0, fmt.Errorf("probing Landlock failed: %v", err)
	case v < 1:
		return 0, errors.New("the kernel reports no usable Landlock ABI")
	}
	if v >= 6 {
		if errata, err := llsys.LandlockGetErrata(); err != nil || errata&0x2 == 0 {
			v = 5
		}
	}
	return v, nil
}

// devices are the device files any command may open for writing: sinks,
// sources of zeros and randomness, and terminals.
var devices = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx"}

// fsRights returns the filesystem rights Landlock ABI abi knows.
func fsRights(abi int) uint64 {
	n := map[int]int{1: 13, 2: 14, 3: 15, 4: 15, 5: 16, 6: 16, 7: 16, 8: 16}[abi]
	if abi >= 9 {
		n = 17
	}
	return 1<<n - 1
}

// Rights that apply to files rather than directories.
const fileRights = llsys.AccessFSExecute | llsys.AccessFSWriteFile | llsys.AccessFSReadFile |
	llsys.AccessFSTruncate | llsys.AccessFSIoctlDev

// buildRuleset returns a Landlock ruleset (a close-on-exec descriptor)
// for c: writes only below c.Writable; signals only inside the sandbox;
// and, without c.Network, no TCP or UDP and no sockets outside the sandbox
// as far as abi allows. Enforcing it is the caller's business.
func buildRuleset(c config, abi int) (int, error) {
	all := fsRights(abi)
	attr := llsys.RulesetAttr{HandledAccessFS: all}
	if abi >= ScopeABI {
		attr.Scoped = llsys.ScopeSignal
		if !c.Network {
			attr.Scoped |= llsys.ScopeAbstractUnixSocket
		}
	}
	if !c.Network && abi >= NetworkABI {
		attr.HandledAccessNet = llsys.AccessNetBindTCP | llsys.AccessNetConnectTCP
		if abi >= UDPABI {
			attr.HandledAccessNet |= llsys.AccessNetBindUDP | llsys.AccessNetConnectSendUDP
		}
	}
	fd, err := llsys.LandlockCreateRuleset(&attr, 0)
	if err != nil {
		return -1, fmt.Errorf("creating the Landlock ruleset: %v", err)
	}
	read := uint64(llsys.AccessFSExecute | llsys.AccessFSReadFile | llsys.AccessFSReadDir)
	write := all
	if c.Network {
		read |= llsys.AccessFSResolveUnix & all
	} else {
		write &^= llsys.AccessFSResolveUnix
	}
	if err := addRule(fd, "/", read); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	for _, d := range devices {
		_ = addRule(fd, d, (fileRights&all)&^llsys.AccessFSExecute)
	}
	_ = addRule(fd, "/dev/pts", read|(fileRights&all))
	for _, w := range c.Writable {
		rights := write
		if fi, err := os.Stat(w); err != nil {
			continue
		} else if !fi.IsDir() {
			rights &= fileRights
		}
		if err := addRule(fd, w, rights); err != nil {
			syscall.Close(fd)
			return -1, err
		}
	}
	return fd, nil
}

// restrictThread applies c to the calling thread, and so to every process
// it starts afterwards. The caller must have locked the goroutine to its
// thread and start the command from it (or exec). Only that thread is
// restricted: the others of a Go program are busy with the runtime.
func restrictThread(c config, abi int) error {
	fd, err := buildRuleset(c, abi)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("setting no_new_privs: %v", err)
	}
	if err := llsys.LandlockRestrictSelf(fd, 0); err != nil {
		return fmt.Errorf("enforcing the Landlock ruleset: %v", err)
	}
	return nil
}

// addRule allows rights below path (missing paths are an error, callers
// skip them where that is fine).
func addRule(ruleset int, path string, rights uint64) error {
	fd, err := syscall.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening %s for a Landlock rule: %v", path, err)
	}
	defer syscall.Close(fd)
	attr := llsys.PathBeneathAttr{ParentFd: fd, AllowedAccess: rights}
	if err := llsys.LandlockAddPathBeneathRule(ruleset, &attr, 0); err != nil {
		return fmt.Errorf("adding the Landlock rule for %s: %v", path, err)
	}
	return nil
}
