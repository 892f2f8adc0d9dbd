//go:build linux

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/landlock-lsm/go-landlock/landlock"
	llsys "github.com/landlock-lsm/go-landlock/landlock/syscall"
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

// restrict applies p to the calling process and everything it will start.
func restrict(p Policy, abi int) error {
	fsAccess := landlock.V11.HandledAccessFS
	cfg, err := landlock.NewConfig(fsAccess)
	if err != nil {
		return err
	}
	if !p.Network {
		cfg, err = landlock.NewConfig(fsAccess, landlock.V11.HandledAccessNet, landlock.V11.Scoped)
		if err != nil {
			return err
		}
	}
	c := cfg.BestEffort()

	readAll := landlock.RODirs("/")
	if p.Network {
		readAll = readAll.WithResolveUnix()
	}
	rules := []landlock.Rule{
		readAll,
		landlock.RWFiles(devices...).WithIoctlDev().IgnoreIfMissing(),
		landlock.RWDirs("/dev/pts").WithIoctlDev().IgnoreIfMissing(),
	}
	if len(p.WritablePaths) > 0 {
		rw := landlock.RWDirs(p.WritablePaths...).IgnoreIfMissing()
		// Moving files between directories needs "refer", which ABI 1
		// cannot grant; asking for it there would make go-landlock fall
		// back to no sandbox at all.
		if abi >= 2 {
			rw = rw.WithRefer()
		}
		if p.Network {
			rw = rw.WithResolveUnix()
		}
		rules = append(rules, rw)
	}
	return c.Restrict(rules...)
}

// RunHelper is the "q __sandbox-exec" entry point; args are the arguments
// after HelperArg: --policy JSON [--path PATH] -- ARGV... It applies the
// policy to itself and then executes PATH (default ARGV[0], looked up in
// $PATH) with ARGV and the inherited environment. It returns only on
// failure, with ExitSetupFailed or ExitNotFound after a message on stderr;
// it never runs the command unsandboxed.
func RunHelper(args []string) int {
	p, path, argv, err := parseHelperArgs(args)
	if err != nil {
		return fail(ExitSetupFailed, err)
	}
	abi, err := probe()
	if abi < 1 {
		return fail(ExitSetupFailed, fmt.Errorf("cannot sandbox the command: %v", err))
	}
	if err := restrict(p, abi); err != nil {
		return fail(ExitSetupFailed, fmt.Errorf("cannot sandbox the command: %v", err))
	}
	return execve(path, argv)
}

// execve replaces the helper with the command; it returns only on failure.
func execve(path string, argv []string) int {
	err := syscall.Exec(path, argv, os.Environ())
	code := ExitSetupFailed
	if errors.Is(err, syscall.ENOENT) {
		code = ExitNotFound
	}
	return fail(code, fmt.Errorf("%s: %v", path, err))
}
