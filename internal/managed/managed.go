// Package managed reads the administrator's managed settings
// (/etc/qdev/managed.json): the organisation policy that sits above user,
// agent and project configuration, which may only tighten it. A missing
// file means there is no managed layer; a file that cannot be read or
// understood is an error, and callers must then refuse to run (fail closed)
// rather than run without the policy.
//
// Every method of *Settings is safe on a nil receiver, which behaves as "no
// managed layer", and on concurrent use once loaded.
package managed

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// systemPath is the administrator's managed settings file. It is a
// variable only so that packagers and test builds can move it at link time
// (-ldflags "-X github.com/qdev/qdev/internal/managed.systemPath=/path"); nothing
// at run time (no environment variable, flag or setting) can change it, so
// a user cannot point q away from the organisation's policy.
var systemPath = "/etc/qdev/managed.json"

// EnvPath is the environment variable naming an additional managed settings
// file, merged on top of the system file: it can only tighten the policy
// (see Merge). Tests and per-project pilots of a stricter policy use it.
const EnvPath = "Q_MANAGED_SETTINGS"

// Sandbox modes, the values of "sandbox.mode".
const (
	// ModeWorkspaceWrite lets commands write to the workspace, the system
	// temporary directory and sandbox.writablePaths only.
	ModeWorkspaceWrite = "workspace-write"
	// ModeReadOnly lets commands write nowhere but a few devices
	// (/dev/null, terminals).
	ModeReadOnly = "read-only"
)

// Settings is the managed layer in effect. Fields hold the values as
// configured, except that paths are absolute (relative ones are resolved
// against the folder of the managed file). A nil or zero slice means the
// key is absent, which never restricts anything.
type Settings struct {
	// Path is the system managed settings file, present or not.
	Path string
	// Present is false when no file exists: no managed layer.
	Present bool
	// Files are the files that make up the policy, the system file first
	// then the $Q_MANAGED_SETTINGS file, each only when present.
	Files []string

	// DeniedTools are tool patterns that are never allowed: built-in names
	// ("fs_write", "fs_*"), "@builtin/<pattern>", "@server" and
	// "@server/<tool pattern>".
	DeniedTools []string
	// DeniedCommands are glob patterns denying execute_bash commands,
	// matched against each simple command of the command line.
	DeniedCommands []string
	// RequireApproval are tool patterns (as DeniedTools) that always ask
	// the user, whatever the trust.
	RequireApproval []string
	// DisableTrustAll forbids --trust-all-tools, /tools trust-all and
	// trusting every tool by any other means.
	DisableTrustAll bool
	// AllowedModels, when set, are the only model references
	// ("provider/model-id" globs) that may be used.
	AllowedModels []string
	// AllowedMCPServers, when set (even empty), are the only MCP servers
	// that may be started.
	AllowedMCPServers []MCPServer
	// AWS configures the local IAM evaluation and attribution of
	// AI-initiated AWS calls.
	AWS AWS
	// Sandbox configures the Landlock sandbox of commands.
	Sandbox Sandbox
	// Audit configures the audit trail.
	Audit Audit

	provenance []Entry
	// moreModels and moreMCP are further allow-lists, from files merged on
	// top, that a model or server must satisfy as well (intersection).
	moreModels [][]string
	moreMCP    [][]MCPServer
}

// MCPServer is one allowedMcpServers entry. Name is required; Command and
// URL, when set, must match too. All three are glob patterns.
type MCPServer struct {
	Name    string `json:"name"`
	Command string `json:"command,omitempty"`
	URL     string `json:"url,omitempty"`
}

// AWS is the "aws" object.
type AWS struct {
	// PolicyFiles are IAM identity policy documents (absolute paths)
	// evaluated before an AI-initiated AWS call.
	PolicyFiles []string `json:"policyFiles,omitempty"`
	// SCPFiles are service control policies (absolute paths), one list per
	// level of the organisation, root first; every level must allow.
	SCPFiles [][]string `json:"scpFiles,omitempty"`
	// AttributionRoleArn is the role assumed, with a source identity, for
	// AI-initiated AWS calls; empty means the user's own credentials.
	AttributionRoleArn string `json:"attributionRoleArn,omitempty"`
	// Context adds request context keys to every AI-initiated call's policy
	// evaluation, e.g. {"aws:PrincipalTag/team": ["platform"]}.
	Context map[string][]string `json:"context,omitempty"`
}

// Sandbox is the "sandbox" object. When the object is present the sandbox
// is on for execute_bash, with Mode defaulting to ModeWorkspaceWrite.
type Sandbox struct {
	// Mode is ModeWorkspaceWrite, ModeReadOnly, or "" when the managed
	// layer does not configure a sandbox.
	Mode string `json:"mode,omitempty"`
	// Required refuses to run commands where Landlock is unavailable,
	// instead of running them unsandboxed with a warning.
	Required bool `json:"required,omitempty"`
	// Network, when set, says whether sandboxed commands may use the
	// network; nil leaves it to the user's configuration.
	Network *bool `json:"network,omitempty"`
	// WritablePaths are extra absolute paths commands may write to in
	// ModeWorkspaceWrite.
	WritablePaths []string `json:"writablePaths,omitempty"`
	// MCPServers runs stdio MCP servers in the sandbox too.
	MCPServers bool `json:"mcpServers,omitempty"`
	// LockWritablePaths ignores the user's sandbox.writablePaths: only
	// the workspace, the temporary directory and WritablePaths are
	// writable. Without it the user may add paths inside the workspace.
	LockWritablePaths bool `json:"lockWritablePaths,omitempty"`
}

// Audit is the "audit" object.
type Audit struct {
	// Dir is the absolute directory of the audit trail; empty means the
	// default.
	Dir string `json:"dir,omitempty"`
	// MaxFileBytes is the size at which an audit file is rotated; 0 means
	// the default.
	MaxFileBytes int64 `json:"maxFileBytes,omitempty"`
	// PublicKey (PEM, or base64 of the Ed25519 key) or KeyFingerprint pins
	// the key that signs the trail's digests: q refuses to write the trail
	// with another key, and verify checks against it.
	PublicKey      string `json:"publicKey,omitempty"`
	KeyFingerprint string `json:"keyFingerprint,omitempty"`
	// DigestSink is where each digest and the trail's high-water mark are
	// also sent: "syslog", or an absolute path of a file q appends to
	// (best one the user cannot rewrite, such as an append-only file).
	DigestSink string `json:"digestSink,omitempty"`
}

// PinnedKey is the key the settings pin, if any, as audit.Options.PinnedKey
// takes it: the public key itself when given, as it also lets verify check
// signatures, else the fingerprint.
func (a Audit) PinnedKey() string {
	if a.PublicKey != "" {
		return a.PublicKey
	}
	return a.KeyFingerprint
}

// SystemPath returns the system managed settings file, always consulted.
func SystemPath() string { return systemPath }

// OverridePath returns the additional file named by $Q_MANAGED_SETTINGS,
// made absolute, or "" when the variable is unset or empty.
func OverridePath() string {
	p := os.Getenv(EnvPath)
	if p == "" {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		return filepath.Clean(abs)
	}
	return p
}

// Load reads the policy in effect: the system file, with the file named by
// $Q_MANAGED_SETTINGS merged on top (LoadPaths). Any error is one line
// naming the file; the caller must then refuse to run.
func Load() (*Settings, error) { return LoadPaths(SystemPath(), OverridePath()) }

// LoadPaths reads the system file at system (absent means no system
// policy) and, when override is not "", the override file, which must
// exist: a policy the user asked for that cannot be read is an error,
// never "no policy". The result is Merge of the two.
func LoadPaths(system, override string) (*Settings, error) {
	sys, err := LoadFile(system)
	if err != nil {
		return nil, err
	}
	if override == "" || override == sys.Path {
		return sys, nil
	}
	ov, err := LoadFile(override)
	if err != nil {
		return nil, err
	}
	if !ov.Present {
		return nil, &FileError{Path: ov.Path, Msg: "does not exist (named by $" + EnvPath + ", which adds a policy file; unset it or create the file)"}
	}
	return Merge(sys, ov), nil
}

// LoadFile reads the one managed settings file at path. A missing file
// gives settings with Present false and no restriction. A file that cannot
// be read (including a symbolic link to nothing), is not valid JSON, has an
// unknown key or a bad value gives a one-line *FileError naming
// file:line:col.
func LoadFile(path string) (*Settings, error) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	s := &Settings{Path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(path); lerr == nil {
			// Something is there but leads nowhere: the administrator
			// meant a policy, so do not read it as "none".
			return nil, &FileError{Path: path, Msg: "cannot read: a symbolic link to a missing file"}
		}
		return s, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &FileError{Path: path, Msg: "cannot read: " + err.Error()}
	}
	s.Present = true
	s.Files = []string{path}
	if err := s.parse(data); err != nil {
		return nil, err
	}
	return s, nil
}

// Entry is one configured value and where it was set, for q doctor.
type Entry struct {
	// Key is the dotted key ("sandbox.network").
	Key string `json:"key"`
	// Value is the value as written in the file, in compact JSON.
	Value string `json:"value"`
	// File and Line locate the key.
	File string `json:"file"`
	Line int    `json:"line"`
	// Ignored marks a value of the $Q_MANAGED_SETTINGS file that the
	// system file's own value overrules (see Merge).
	Ignored bool `json:"ignored,omitempty"`
}

// RuleSource returns the managed file that set the rule of a decision
// (as DenyTool, DenyCommand or ApprovalRule return it, e.g.
// `deniedTools "fs_write"`, with or without the message prefix): the file
// whose list holds that pattern, else the first file of the policy, else
// Path. Decisions and audit records name it.
func (s *Settings) RuleSource(rule string) string {
	if s == nil {
		return ""
	}
	rule = strings.TrimPrefix(rule, BlockedPrefix)
	if _, r, ok := strings.Cut(rule, ": "); ok && !strings.Contains(rule[:len(rule)-len(r)], `"`) {
		rule = r
	}
	if key, pattern, ok := strings.Cut(rule, " "); ok {
		for _, e := range s.provenance {
			if e.Key == key && listHolds(e.Value, pattern) {
				return e.File
			}
		}
	}
	if len(s.Files) > 0 {
		return s.Files[0]
	}
	return s.Path
}

// listHolds reports whether the compact JSON array list holds the JSON
// string quoted (as %q wrote it in a rule).
func listHolds(list, quoted string) bool {
	want, err := strconv.Unquote(quoted)
	if err != nil {
		return false
	}
	var vals []string
	return json.Unmarshal([]byte(list), &vals) == nil && slices.Contains(vals, want)
}

// Provenance returns every value set in the managed files, the system
// file's first, each in file order.
// Arrays are one entry each; objects are split into their keys.
func (s *Settings) Provenance() []Entry {
	if s == nil {
		return nil
	}
	return append([]Entry(nil), s.provenance...)
}

// AWSAttributionRole returns aws.attributionRoleArn, "" when unset.
func (s *Settings) AWSAttributionRole() string {
	if s == nil {
		return ""
	}
	return s.AWS.AttributionRoleArn
}

// SandboxEnabled reports whether the managed layer configures a sandbox.
func (s *Settings) SandboxEnabled() bool { return s != nil && s.Sandbox.Mode != "" }
