package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/agent"
	"github.com/qdev/qdev/internal/attribution"
	"github.com/qdev/qdev/internal/audit"
	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/paths"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/sandbox"
	"github.com/qdev/qdev/internal/tool"
)

// openAudit opens the audit trail: the managed folder if the organisation
// names one, else the default. No setting turns it off.
func (s *setup) openAudit() error {
	dir, opts := audit.DefaultDir(), audit.Options{}
	if m := s.managed; m != nil {
		if m.Audit.Dir != "" {
			dir, opts.MaxFileBytes = m.Audit.Dir, m.Audit.MaxFileBytes
		}
		opts.PinnedKey, opts.DigestSink = pinnedKey(m.Audit), m.Audit.DigestSink
	}
	trail, err := audit.Open(dir, opts)
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	s.trail = trail
	return nil
}

// pinnedKey is the key the managed settings pin, if any: the public key
// itself when given, as it also lets verify check signatures.
func pinnedKey(a managed.Audit) string {
	if a.PublicKey != "" {
		return a.PublicKey
	}
	return a.KeyFingerprint
}

// callRecord describes call c for the audit trail: who asked (the
// session, and which of its subagents unless that is ""), what, and how
// it was decided.
func (s *setup) callRecord(c *agent.Call, subagent string) audit.Record {
	conv := s.agent.Conv
	rec := audit.Record{
		UserIdentity:      audit.LocalIdentity(),
		UserAgent:         tool.Marker(s.env.Version),
		RequestParameters: c.Input,
		ConversationID:    conv.ID, Agent: conv.Agent, Model: conv.Model, Subagent: subagent,
		Tool: c.Name, Server: c.Server,
		Rule: c.Decision.Rule, RuleSource: c.Decision.Source,
	}
	if len(rec.RequestParameters) == 0 {
		rec.RequestParameters = json.RawMessage(`{}`)
	}
	rec.Decision, rec.UserAnswer, rec.Layer = decisionOf(c)
	if c.Inv != nil {
		acc := c.Inv.Access()
		if acc.AWSService != "" {
			rec.EventSource = audit.AWSEventSource(acc.AWSService)
			rec.EventName = audit.AWSEventName(acc.AWSOperation)
			rec.AWSRegion = acc.AWSRegion
			rec.ReadOnly = permission.IsReadOnlyAWSOperation(acc.AWSOperation)
		} else {
			rec.ReadOnly = c.Name == "fs_read" || acc.AlwaysAllowed
		}
	}
	return rec
}

// record writes the audit record that ends one tool call: the outcome of
// a call whose intent auditReady wrote, or the only record of a call that
// never ran (refused, or invalid).
func (s *setup) record(c *agent.Call, r tool.Result) { s.recordFor("", c, r) }

// recordFor is record for a call of the named subagent ("" for the
// session's own calls).
func (s *setup) recordFor(subagent string, c *agent.Call, r tool.Result) {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	rec := s.callRecord(c, subagent)
	rec.DurationMs, rec.OutputBytes = r.Duration.Milliseconds(), r.OutputBytes
	if id, ok := s.intents[c]; ok {
		rec.Phase, rec.IntentID = audit.PhaseOutcome, id
		delete(s.intents, c)
	}
	if c.Inv != nil && c.Approval.Ran() {
		acc := c.Inv.Access()
		if acc.Command != "" || acc.AWSService != "" {
			status := r.ExitStatus
			rec.ExitStatus = &status
		}
	}
	resp := map[string]any{"isError": r.IsError}
	if r.IsError && len(r.Content) > 0 {
		rec.ErrorCode = "ToolError"
		if rec.Decision == "deny" {
			rec.ErrorCode = "AccessDenied"
		}
		rec.ErrorMessage = firstLineOf(r.Content[0].Text)
	}
	rec.ResponseElements, _ = json.Marshal(resp)
	// The durable append runs in the background, in order, so its fsync
	// overlaps the next model request; auditReady waits for it before the
	// next call may run, and close before q exits, so no action runs while
	// an earlier one is unrecorded.
	prev, done := s.auditPending, make(chan struct{})
	s.auditPending = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if err := s.trail.Append(rec); err != nil {
			s.warn("audit trail: %v", err)
		}
	}()
}

// auditReady runs just before call c starts: it waits for pending records,
// checks that the trail can take more, and appends c's intent, returning
// once it is on disk. An error refuses the call, so nothing runs that is
// not on record first; a kill after this leaves the intent without an
// outcome, which verify reports.
func (s *setup) auditReady(c *agent.Call) error { return s.auditReadyFor("", c) }

// auditReadyFor is auditReady for a call of the named subagent.
func (s *setup) auditReadyFor(subagent string, c *agent.Call) error {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	s.flushAudit()
	if err := s.trail.Ready(); err != nil {
		return err
	}
	id, err := audit.NewEventID()
	if err != nil {
		return err
	}
	rec := s.callRecord(c, subagent)
	rec.EventID, rec.Phase = id, audit.PhaseIntent
	if err := s.trail.Append(rec); err != nil {
		return err
	}
	if s.intents == nil {
		s.intents = map[*agent.Call]string{}
	}
	s.intents[c] = id
	return nil
}

func (s *setup) flushAudit() {
	if s.auditPending != nil {
		<-s.auditPending
		s.auditPending = nil
	}
}

// decisionOf maps how a call went to the audit vocabulary.
func decisionOf(c *agent.Call) (decision, answer, layer string) {
	switch c.Approval {
	case agent.AllowedOnce:
		return "ask", "y", "user"
	case agent.TrustedForSession:
		return "ask", "t", "user"
	case agent.DeniedByUser:
		return "ask", "n", "user"
	case agent.NotApproved:
		return "ask", "", "user"
	case agent.BlockedByHook:
		return "deny", "", string(permission.LayerHook)
	case agent.AllowedByRule:
		return "allow", "", auditLayer(c.Decision.Layer)
	case agent.DeniedByRule:
		return "deny", "", auditLayer(c.Decision.Layer)
	}
	// The call never reached judgement: its input was invalid.
	return "deny", "", "validation"
}

// auditLayer is the layer as the audit trail has always named it: trust
// given by a launch flag counts as the session's.
func auditLayer(l permission.Layer) string {
	switch l {
	case permission.LayerFlag:
		return string(permission.LayerSession)
	case "":
		return string(permission.LayerDefault)
	}
	return string(l)
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 500 {
		s = s[:500]
	}
	return s
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
