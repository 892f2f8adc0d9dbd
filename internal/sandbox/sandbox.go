// Package sandbox runs commands under Linux Landlock: they may read and
// execute anything, write only below a few directories (the workspace and
// the temporary directory, typically), and, when the policy says so, make
// no network connections.
//
// Landlock restricts the process that asks for it and everything it starts
// afterwards, so the restriction is applied by a helper: the q binary
// itself, re-executed as "q __sandbox-exec", which restricts itself and
// then replaces itself (execve) with the real command. The command thus
// keeps the process id, process group, environment, working directory and
// file descriptors the caller gave it, and q itself is never restricted.
package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// HelperArg is the hidden first argument that makes q act as the sandbox
// helper. main must check for it before anything else:
//
//	if len(os.Args) > 1 && os.Args[1] == sandbox.HelperArg {
//		os.Exit(sandbox.RunHelper(os.Args[2:]))
//	}
const HelperArg = "__sandbox-exec"

// NetworkABI is the first Landlock ABI able to restrict TCP bind and
// connect.
const NetworkABI = 4

// Exit codes of the helper when it cannot run the command; they follow the
// shell's conventions so a failed sandbox reads like a failed command.
const (
	// ExitSetupFailed: bad helper arguments, or the sandbox could not be
	// applied. The command did not run.
	ExitSetupFailed = 126
	// ExitNotFound: the command could not be executed.
	ExitNotFound = 127
)

// Policy says what a sandboxed command may do.
type Policy struct {
	// WritablePaths are the absolute paths (directories or files) below
	// which the command may create, change and delete files. Missing
	// paths are skipped. Nothing else is writable except terminals and
	// /dev/null-like devices.
	WritablePaths []string `json:"writable"`
	// Network allows TCP and UDP connections and listening sockets,
	// connections to Unix sockets outside the sandbox and signals to
	// processes outside it. When false they are denied as far as the
	// kernel's Landlock ABI allows (TCP from ABI 4, IPC scopes from ABI 6,
	// named Unix sockets from ABI 9, UDP from ABI 10).
	Network bool `json:"network"`
	// Required makes Wrap refuse, rather than warn, when the policy cannot
	// be enforced. Not passed to the helper.
	Required bool `json:"-"`
	// Helper is the executable that implements HelperArg; empty means
	// /proc/self/exe, the running q. Not passed to the helper.
	Helper string `json:"-"`
}

// ErrUnavailable is wrapped by Wrap's error when Landlock cannot enforce
// the policy on this kernel (not at all, or not its network part).
var ErrUnavailable = errors.New("sandbox unavailable")

// probe is the kernel probe; tests replace it to simulate other kernels.
var probe = probeKernel

// Probe returns the Landlock ABI version the kernel offers (as go-landlock
// will use it). When it is 0, err says why Landlock is unavailable.
func Probe() (abi int, err error) { return probe() }

// Wrap makes cmd, not yet started, run under the sandbox described by p,
// by rewriting its Path and Args to go through the helper; Dir, Env,
// SysProcAttr, standard streams and every other field are kept, so the
// process group and environment of the command are unchanged. It returns
// cmd itself.
//
// The results combine as follows:
//   - command, nil error: run it, sandboxed;
//   - command and an error wrapping ErrUnavailable: the policy cannot be
//     (fully) enforced and p.Required is false; show the error as a
//     warning and run the command, which is cmd unchanged when Landlock
//     is missing altogether and sandboxed without network restriction
//     when only that is missing;
//   - nil command, error: do not run anything. Either p is invalid or the
//     policy cannot be enforced and p.Required is true (the error then
//     wraps ErrUnavailable).
func Wrap(cmd *exec.Cmd, p Policy) (*exec.Cmd, error) {
	if cmd == nil || cmd.Path == "" {
		return nil, errors.New("sandbox: no command to wrap")
	}
	if cmd.Process != nil {
		return nil, errors.New("sandbox: the command has already started")
	}
	writable, err := cleanPaths(p.WritablePaths)
	if err != nil {
		return nil, err
	}
	abi, perr := probe()
	if abi < 1 {
		werr := fmt.Errorf("%w: %v", ErrUnavailable, perr)
		if p.Required {
			return nil, fmt.Errorf("%w; the sandbox is required, so the command was not run", werr)
		}
		return cmd, fmt.Errorf("%w; running the command without a sandbox", werr)
	}
	var warn error
	if !p.Network && abi < NetworkABI {
		werr := fmt.Errorf("%w: Landlock ABI %d cannot restrict the network (ABI %d needed, Linux 6.7)", ErrUnavailable, abi, NetworkABI)
		if p.Required {
			return nil, fmt.Errorf("%w; network access must be denied, so the command was not run", werr)
		}
		warn = fmt.Errorf("%w; the command runs sandboxed but with network access", werr)
	}
	enc, err := json.Marshal(Policy{WritablePaths: writable, Network: p.Network})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	helper := p.Helper
	if helper == "" {
		helper = "/proc/self/exe"
	}
	argv := cmd.Args
	if len(argv) == 0 {
		argv = []string{cmd.Path}
	}
	cmd.Args = append([]string{"q", HelperArg, "--policy", string(enc), "--path", cmd.Path, "--"}, argv...)
	cmd.Path = helper
	return cmd, warn
}

// cleanPaths checks that every path is absolute and returns them cleaned
// and without duplicates.
func cleanPaths(paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("sandbox: writable path %q is not absolute", p)
		}
		p = filepath.Clean(p)
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// WorkspaceWritable returns the writable paths of the "workspace-write"
// mode: workspace, the system temporary directory (os.TempDir, which
// honours $TMPDIR) and extra.
func WorkspaceWritable(workspace string, extra ...string) []string {
	return append([]string{workspace, os.TempDir()}, extra...)
}
