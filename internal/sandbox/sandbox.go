// Package sandbox confines the commands q runs for the model: they may read
// anything but write only below a few directories, leave q's own
// configuration alone, reach no network when the policy says so, and die
// with their shell.
//
// Confinement is applied between fork and exec, because Landlock and
// namespaces apply to the process that asks for them and q itself must
// stay unrestricted. It is applied by a helper, a small separate binary,
// qdev-sandbox, installed next to q: it starts in about a millisecond,
// whereas re-executing the 50 MB q binary cost about 35 ms and 40 MiB per
// call. q starts it in fresh user, mount and PID namespaces (and a network
// namespace when the network is denied), asked for at q's own fork, which
// needs no privileges and which stays a vfork: the child borrows q's
// memory until it executes the helper, so q's page tables are not copied
// whatever the size of its heap (see setProcAttr). The helper maps q's
// user and group ids into its namespace, pins and bind-mounts q's
// configuration read-only (Landlock grants whole hierarchies and cannot
// carve those out of a writable workspace), hides credential files and
// the Unix sockets of servers outside the sandbox, makes every mount
// outside the writable paths read-only (which also stops chmod, chown,
// utimes and extended attribute changes, which no Landlock ABI restricts),
// applies Landlock, and starts the command as the only child of the PID
// namespace's init: when the command ends or q dies, the kernel kills
// everything the command left behind.
//
// Where user namespaces are unavailable the helper applies Landlock alone
// and replaces itself with the command; what is then not enforced is
// reported by Wrap (a warning, or a refusal when the sandbox is required)
// and by Status. When the helper binary is missing (go run), q re-executes
// itself as the helper: the same code, slower to start.
package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// HelperArg is the hidden first argument that makes q, or qdev-sandbox,
// act as the sandbox helper. main must check for it before anything else:
//
//	if len(os.Args) > 1 && os.Args[1] == sandbox.HelperArg {
//		os.Exit(sandbox.RunHelper(os.Args[2:]))
//	}
const HelperArg = "__sandbox-exec"

// HelperName is the helper binary's file name; q looks for it only in
// the directory of its own executable.
const HelperName = "qdev-sandbox"

// Landlock ABIs that add the rights this package uses.
const (
	// NetworkABI is the first Landlock ABI able to restrict TCP bind and
	// connect.
	NetworkABI = 4
	// ScopeABI is the first ABI that scopes signals and abstract Unix
	// sockets to the sandbox.
	ScopeABI = 6
	// UnixSocketABI is the first ABI that restricts connecting to named
	// Unix sockets.
	UnixSocketABI = 9
	// UDPABI is the first ABI that restricts UDP.
	UDPABI = 10
)

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
	WritablePaths []string
	// ReadOnlyPaths stay read-only even inside WritablePaths: q's agents,
	// hooks and settings. A path written with a trailing slash is a
	// directory: when it is missing but its parent exists, the helper
	// creates it empty so that nothing can be put there. Other missing
	// paths are skipped.
	ReadOnlyPaths []string
	// HiddenPaths are replaced by an empty file or directory for the
	// command (credential files and caches). Missing paths are skipped.
	HiddenPaths []string
	// Network allows TCP and UDP, connections to Unix sockets of servers
	// outside the sandbox and abstract Unix sockets. When false the
	// command gets a network namespace with no interface up and the
	// sockets are hidden (or, without namespaces, Landlock denies what
	// its ABI can).
	Network bool
	// Required makes Wrap refuse, rather than warn, when a part of the
	// policy cannot be enforced.
	Required bool
	// Helper is the executable that implements HelperArg; empty means
	// qdev-sandbox next to q, else q itself. Tests set it.
	Helper string
}

// ErrUnavailable is wrapped by Wrap's error when the policy cannot be
// (fully) enforced on this system.
var ErrUnavailable = errors.New("sandbox unavailable")

// probe is the kernel probe and namespaces the namespace probe; tests
// replace them to simulate other systems.
var (
	probe      = probeKernel
	namespaces = namespacesWork
)

// Probe returns the Landlock ABI version the kernel offers (as go-landlock
// will use it). When it is 0, err says why Landlock is unavailable.
func Probe() (abi int, err error) { return probe() }

// Wrap makes cmd, not yet started, run under the sandbox described by p,
// by rewriting its Path, Args and namespace attributes to go through the
// helper; Dir, Env, Setpgid, standard streams and every other field are
// kept. It returns cmd itself.
//
// The results combine as follows:
//   - command, nil error: run it, sandboxed;
//   - command and an error wrapping ErrUnavailable: part of the policy
//     cannot be enforced and p.Required is false; show the error as a
//     warning and run the command, which is cmd unchanged when Landlock
//     is missing altogether and otherwise sandboxed as far as possible;
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
	cfg, err := configOf(p)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	abi, perr := probe()
	if abi < 1 {
		werr := fmt.Errorf("%w: %v", ErrUnavailable, perr)
		if p.Required {
			return nil, fmt.Errorf("%w; the sandbox is required, so the command was not run", werr)
		}
		return cmd, fmt.Errorf("%w; running the command without a sandbox", werr)
	}
	helper, reexec := helperPath(p.Helper)
	cfg.Namespaces = namespaces(helper)
	// A sandboxed command that could replace q or the helper would run
	// unconfined the next time.
	for _, b := range binaries(helper) {
		if cfg.writableRoot(b) != "" {
			cfg.ReadOnly = append(cfg.ReadOnly, b)
		}
	}
	cfg.ABI = abi
	var warn error
	if gaps := cfg.gaps(); len(gaps) > 0 {
		werr := fmt.Errorf("%w: %s", ErrUnavailable, strings.Join(gaps, "; "))
		if p.Required {
			return nil, fmt.Errorf("%w; the sandbox is required, so the command was not run", werr)
		}
		warn = fmt.Errorf("%w; the command runs with the rest of the sandbox", werr)
	}
	argv := cmd.Args
	if len(argv) == 0 {
		argv = []string{cmd.Path}
	}
	name := HelperName
	if reexec {
		name = "q"
	}
	args := append([]string{name, HelperArg}, cfg.args()...)
	cmd.Args = append(append(args, argPath, cmd.Path, "--"), argv...)
	cmd.Path = helper
	setProcAttr(cmd, cfg)
	return cmd, warn
}

// cleanPaths checks that every path is absolute and returns them cleaned
// and without duplicates. A trailing slash is kept when keepDir is set.
func cleanPaths(paths []string, keepDir bool) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("path %q is not absolute", p)
		}
		dir := keepDir && strings.HasSuffix(p, "/") && p != "/"
		p = filepath.Clean(p)
		if dir {
			p += "/"
		}
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

// WorkspaceConfig returns the paths of a workspace from which q or git
// load configuration or code to run: agents, hooks, MCP servers and rules
// (.amazonq, .kiro), the git configuration and git hooks. Directories end
// in a slash (see Policy.ReadOnlyPaths).
func WorkspaceConfig(workspace string) []string {
	return []string{
		filepath.Join(workspace, ".amazonq") + "/",
		filepath.Join(workspace, ".kiro") + "/",
		filepath.Join(workspace, ".git", "config"),
		filepath.Join(workspace, ".git", "hooks") + "/",
	}
}

// Within reports whether path is root or below it; both must be clean
// and absolute.
func Within(path, root string) bool {
	if root == "/" {
		return true
	}
	return path == root || strings.HasPrefix(path, root+"/")
}
