package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/attribution"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/audit/calls"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/sandbox"
	"github.com/qdev/qdev/internal/version"
)

// openAudit opens the audit trail: the managed folder if the organisation
// names one, else the default. No setting turns it off.
func (s *setup) openAudit() error {
	dir, opts := audit.DefaultDir(), audit.Options{}
	if m := s.managed; m != nil {
		if m.Audit.Dir != "" {
			dir, opts.MaxFileBytes = m.Audit.Dir, m.Audit.MaxFileBytes
		}
		opts.PinnedKey, opts.DigestSink = m.Audit.PinnedKey(), m.Audit.DigestSink
	}
	trail, err := audit.Open(dir, opts)
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	s.trail = trail
	s.calls = calls.New(trail, func() *agent.Conversation {
		if s.agent == nil {
			return nil
		}
		return s.agent.Conversation()
	}, version.Version, func(err error) { s.warn("audit trail: %v", err) })
	return nil
}

// sandbox returns how execute_bash commands are confined, or nil when the
// sandbox is off. The user's sandbox.* settings apply unless the managed
// layer sets a mode, which then wins; the managed layer can only narrow the
// network and add writable paths, and the user can then add writable
// paths only inside the workspace (none with lockWritablePaths).
func (s *setup) sandbox() (func(*exec.Cmd) (*exec.Cmd, error), error) {
	mode := s.settings.String("sandbox.mode", managed.ModeWorkspaceWrite)
	m := s.managed
	required, governed := false, m != nil && m.Sandbox.Mode != ""
	if governed {
		mode, required = m.Sandbox.Mode, m.Sandbox.Required
	}
	if mode == "off" {
		return nil, nil
	}
	network := s.settings.Bool("sandbox.network", true)
	if m != nil && m.Sandbox.Network != nil && !*m.Sandbox.Network {
		network = false
	}
	var writable []string
	if mode == managed.ModeWorkspaceWrite {
		extra := s.userWritable(governed, governed && m.Sandbox.LockWritablePaths)
		if m != nil {
			extra = append(extra, m.Sandbox.WritablePaths...)
		}
		writable = sandbox.WorkspaceWritable(s.cwd, extra...)
	}
	policy := sandbox.Policy{WritablePaths: writable, ReadOnlyPaths: s.protectedPaths(), Network: network, Required: required}
	if m.AWSAttributionRole() != "" {
		policy.HiddenPaths = attribution.CredentialFiles(s.home, os.Getenv)
	}
	return func(cmd *exec.Cmd) (*exec.Cmd, error) {
		wrapped, err := sandbox.Wrap(cmd, policy)
		if wrapped == nil {
			return nil, fmt.Errorf("refused: %w", err)
		}
		if err != nil {
			s.warn("%v", err)
		}
		return wrapped, nil
	}, nil
}

// userWritable returns the user's sandbox.writablePaths; under a managed
// sandbox only those inside the workspace, and none when locked.
func (s *setup) userWritable(governed, locked bool) []string {
	paths := s.stringList("sandbox.writablePaths")
	if !governed {
		return paths
	}
	if locked {
		if len(paths) > 0 {
			s.warn("sandbox.writablePaths ignored: the organisation's sandbox fixes the writable paths")
		}
		return nil
	}
	ws := resolved(s.cwd)
	var out []string
	for _, p := range paths {
		if r := resolved(p); filepath.IsAbs(r) && sandbox.Within(r, ws) {
			out = append(out, r)
		} else {
			s.warn("sandbox.writablePaths: %s ignored: under the organisation's sandbox only paths inside the workspace can be added", p)
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
func (s *setup) protectedPaths() []string {
	out := sandbox.WorkspaceConfig(s.cwd)
	out = append(out,
		filepath.Join(s.home, ".aws", "amazonq")+"/",
		filepath.Join(s.home, ".kiro")+"/",
		paths.ConfigDir()+"/",
		paths.DataDir()+"/",
		managed.SystemPath(),
	)
	if o := managed.OverridePath(); o != "" {
		out = append(out, o)
	}
	if s.managed != nil && s.managed.Audit.Dir != "" {
		out = append(out, filepath.Clean(s.managed.Audit.Dir)+"/")
	}
	return out
}

// stringList reads an array setting, expanding ~ in each entry.
func (s *setup) stringList(key string) []string {
	v, _ := s.settings.Get(key)
	items, _ := v.([]any)
	var out []string
	for _, it := range items {
		p, ok := it.(string)
		if !ok || p == "" {
			continue
		}
		if p == "~" || strings.HasPrefix(p, "~/") {
			p = filepath.Join(s.home, p[1:])
		}
		out = append(out, p)
	}
	return out
}
