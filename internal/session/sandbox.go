package session

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/qdev/qdev/internal/attribution"
	"github.com/qdev/qdev/internal/homepath"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/sandbox"
)

// sandbox returns how execute_bash commands are confined, or nil when the
// sandbox is off. The user's sandbox.* settings apply unless the managed
// layer sets a mode, which then wins; the managed layer can only narrow the
// network and add writable paths, and the user can then add writable
// paths only inside the workspace (none with lockWritablePaths).
func (b *Builder) sandbox() (func(*exec.Cmd) (*exec.Cmd, error), error) {
	mode := b.settings.String("sandbox.mode", managed.ModeWorkspaceWrite)
	m := b.managed
	required, governed := false, m != nil && m.Sandbox.Mode != ""
	if governed {
		mode, required = m.Sandbox.Mode, m.Sandbox.Required
	}
	if mode == "off" {
		return nil, nil
	}
	network := b.settings.Bool("sandbox.network", true)
	if m != nil && m.Sandbox.Network != nil && !*m.Sandbox.Network {
		network = false
	}
	var writable []string
	if mode == managed.ModeWorkspaceWrite {
		extra := b.userWritable(governed, governed && m.Sandbox.LockWritablePaths)
		if m != nil {
			extra = append(extra, m.Sandbox.WritablePaths...)
		}
		writable = sandbox.WorkspaceWritable(b.cwd, extra...)
	}
	policy := sandbox.Policy{WritablePaths: writable, ReadOnlyPaths: b.protectedPaths(), Network: network, Required: required}
	if m.AWSAttributionRole() != "" {
		policy.HiddenPaths = attribution.CredentialFiles(b.home, os.Getenv)
	}
	return func(cmd *exec.Cmd) (*exec.Cmd, error) {
		wrapped, err := sandbox.Wrap(cmd, policy)
		if wrapped == nil {
			return nil, fmt.Errorf("refused: %w", err)
		}
		if err != nil {
			b.warn("%v", err)
		}
		return wrapped, nil
	}, nil
}

// userWritable returns the user's sandbox.writablePaths; under a managed
// sandbox only those inside the workspace, and none when locked.
func (b *Builder) userWritable(governed, locked bool) []string {
	paths := b.stringList("sandbox.writablePaths")
	if !governed {
		return paths
	}
	if locked {
		if len(paths) > 0 {
			b.warn("sandbox.writablePaths ignored: the organisation's sandbox fixes the writable paths")
		}
		return nil
	}
	ws := resolved(b.cwd)
	var out []string
	for _, p := range paths {
		if r := resolved(p); filepath.IsAbs(r) && sandbox.Within(r, ws) {
			out = append(out, r)
		} else {
			b.warn("sandbox.writablePaths: %s ignored: under the organisation's sandbox only paths inside the workspace can be added", p)
		}
	}
	return out
}

// resolved cleans p and resolves its symbolic links as far as it exists,
// so that a link inside the workspace cannot stand for a path outside.
func resolved(p string) string {
	p = filepath.Clean(p)
	rest := ""
	for cur := p; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		if cur == filepath.Dir(cur) {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}

// protectedPaths are where q, or git on the user's behalf, loads agents,
// hooks, MCP servers, rules, settings or code to run: sandboxed commands
// must not write them even inside the workspace.
func (b *Builder) protectedPaths() []string {
	out := sandbox.WorkspaceConfig(b.cwd)
	out = append(out,
		filepath.Join(b.home, ".aws", "amazonq")+"/",
		filepath.Join(b.home, ".kiro")+"/",
		paths.ConfigDir()+"/",
		paths.DataDir()+"/",
		managed.SystemPath(),
	)
	if o := managed.OverridePath(); o != "" {
		out = append(out, o)
	}
	if b.managed != nil && b.managed.Audit.Dir != "" {
		out = append(out, filepath.Clean(b.managed.Audit.Dir)+"/")
	}
	return out
}

// stringList reads an array setting, expanding ~ in each entry.
func (b *Builder) stringList(key string) []string {
	var out []string
	for _, p := range b.settings.Strings(key) {
		if p != "" {
			out = append(out, homepath.Expand(p, b.home))
		}
	}
	return out
}
