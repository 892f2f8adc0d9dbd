package managed

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// example is the document from the issue, with relative paths.
const example = `{
  "deniedTools": ["fs_write", "@github/push_files"],
  "deniedCommands": ["rm -rf *", "terraform apply*"],
  "requireApproval": ["execute_bash", "use_aws"],
  "disableTrustAll": true,
  "allowedModels": ["bedrock/*", "openai/gpt-4.1"],
  "allowedMcpServers": [{"name": "git", "command": "uvx"}],
  "aws": { "policyFiles": ["ai-identity-policy.json"], "scpFiles": [["root-scp.json"], ["ou-scp.json"]],
           "attributionRoleArn": "arn:aws:iam::123456789012:role/qdev-ai" },
  "sandbox": { "mode": "workspace-write", "required": true, "network": false },
  "audit": { "dir": "/var/log/qdev", "maxFileBytes": 67108864 }
}`

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policy", "managed.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadExample(t *testing.T) {
	p := writeFile(t, example)
	dir := filepath.Dir(p)
	s, err := LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	no := false
	want := &Settings{
		Path:              p,
		Present:           true,
		Files:             []string{p},
		DeniedTools:       []string{"fs_write", "@github/push_files"},
		DeniedCommands:    []string{"rm -rf *", "terraform apply*"},
		RequireApproval:   []string{"execute_bash", "use_aws"},
		DisableTrustAll:   true,
		AllowedModels:     []string{"bedrock/*", "openai/gpt-4.1"},
		AllowedMCPServers: []MCPServer{{Name: "git", Command: "uvx"}},
		AWS: AWS{
			PolicyFiles:        []string{filepath.Join(dir, "ai-identity-policy.json")},
			SCPFiles:           [][]string{{filepath.Join(dir, "root-scp.json")}, {filepath.Join(dir, "ou-scp.json")}},
			AttributionRoleArn: "arn:aws:iam::123456789012:role/qdev-ai",
		},
		Sandbox: Sandbox{Mode: ModeWorkspaceWrite, Required: true, Network: &no},
		Audit:   Audit{Dir: "/var/log/qdev", MaxFileBytes: 67108864},
	}
	got := *s
	got.provenance = nil
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("LoadFile:\n got %+v\nwant %+v", got, *want)
	}
	if !s.SandboxEnabled() {
		t.Error("SandboxEnabled = false")
	}

	prov := s.Provenance()
	wantKeys := []string{"deniedTools", "deniedCommands", "requireApproval", "disableTrustAll", "allowedModels",
		"allowedMcpServers", "aws.policyFiles", "aws.scpFiles", "aws.attributionRoleArn",
		"sandbox.mode", "sandbox.required", "sandbox.network", "audit.dir", "audit.maxFileBytes"}
	var keys []string
	for _, e := range prov {
		keys = append(keys, e.Key)
		if e.File != p {
			t.Errorf("%s: file %q", e.Key, e.File)
		}
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("provenance keys %v, want %v", keys, wantKeys)
	}
	byKey := map[string]Entry{}
	for _, e := range prov {
		byKey[e.Key] = e
	}
	for key, want := range map[string]Entry{
		"deniedTools":            {Line: 2, Value: `["fs_write","@github/push_files"]`},
		"aws.attributionRoleArn": {Line: 9, Value: `"arn:aws:iam::123456789012:role/qdev-ai"`},
		"sandbox.network":        {Line: 10, Value: `false`},
		"audit.maxFileBytes":     {Line: 11, Value: `67108864`},
	} {
		if got := byKey[key]; got.Line != want.Line || got.Value != want.Value {
			t.Errorf("%s: line %d value %s, want line %d value %s", key, got.Line, got.Value, want.Line, want.Value)
		}
	}
}

func TestLoadMissingAndEnv(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.json")
	s, err := LoadPaths(missing, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Present || s.Path != missing || s.SandboxEnabled() {
		t.Errorf("missing file gave %+v", s)
	}
	if _, denied := s.DenyTool("fs_write", ""); denied {
		t.Error("no managed layer denied a tool")
	}

	t.Setenv(EnvPath, "rel.json")
	if p := OverridePath(); !filepath.IsAbs(p) || filepath.Base(p) != "rel.json" {
		t.Errorf("OverridePath() = %q", p)
	}
	t.Setenv(EnvPath, "")
	if OverridePath() != "" {
		t.Errorf("OverridePath() without env = %q", OverridePath())
	}
	if SystemPath() != "/etc/qdev/managed.json" {
		t.Errorf("SystemPath() = %q", SystemPath())
	}
}

// The override can never mean "no policy": a missing override file is an
// error, not an absent layer, and the system file is loaded regardless.
func TestOverrideCannotRemovePolicy(t *testing.T) {
	sys := writeFile(t, `{"deniedTools": ["fs_write"], "disableTrustAll": true}`)
	dir := t.TempDir()
	for name, override := range map[string]string{
		"missing":   filepath.Join(dir, "none.json"),
		"directory": dir,
	} {
		if _, err := LoadPaths(sys, override); err == nil || !strings.Contains(err.Error(), override) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s override: err %v, want a one-line error naming %s", name, err, override)
		}
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadPaths(sys, empty)
	if err != nil {
		t.Fatal(err)
	}
	if _, denied := s.DenyTool("fs_write", ""); !denied || !s.DisableTrustAll {
		t.Errorf("an empty override dropped the system policy: %+v", s)
	}
	if want := []string{sys, empty}; !reflect.DeepEqual(s.Files, want) {
		t.Errorf("Files = %q, want %q", s.Files, want)
	}
	// Without a system file the override alone is the policy.
	s, err = LoadPaths(filepath.Join(dir, "no-system.json"), sys)
	if err != nil || !s.Present {
		t.Fatalf("override alone: %+v, %v", s, err)
	}
	if _, denied := s.DenyTool("fs_write", ""); !denied {
		t.Error("the override alone is not the policy")
	}
}

func TestLoadDanglingSymlink(t *testing.T) {
	p := filepath.Join(t.TempDir(), "managed.json")
	if err := os.Symlink(filepath.Join(filepath.Dir(p), "gone.json"), p); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("dangling symlink: err %v, want an error naming %s", err, p)
	}
}

func TestLoadSandboxDefaults(t *testing.T) {
	s, err := LoadFile(writeFile(t, `{"sandbox": {"writablePaths": ["cache", "/opt/x/"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(s.Path)
	if s.Sandbox.Mode != ModeWorkspaceWrite || s.Sandbox.Network != nil || s.Sandbox.Required {
		t.Errorf("sandbox = %+v", s.Sandbox)
	}
	if want := []string{filepath.Join(dir, "cache"), "/opt/x"}; !reflect.DeepEqual(s.Sandbox.WritablePaths, want) {
		t.Errorf("writablePaths = %v, want %v", s.Sandbox.WritablePaths, want)
	}
	if s.AllowedMCPServers != nil || s.AllowedModels != nil {
		t.Error("absent allow lists are not nil")
	}
	s, err = LoadFile(writeFile(t, `{"allowedMcpServers": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.AllowedMCPServers == nil {
		t.Error("an empty allowedMcpServers must still restrict")
	}
	if ok, _ := s.MCPServerAllowed("git", "uvx", ""); ok {
		t.Error("empty allowedMcpServers allowed a server")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"syntax", "{\n  \"deniedTools\": [\"a\",]\n}", ":2:23: invalid JSON"},
		{"truncated", `{"deniedTools": [`, ":1:18: invalid JSON: unexpected end of file"},
		{"empty", "  \n", "the file is empty"},
		{"not object", `["x"]`, ":1:1: the file must hold a JSON object"},
		{"trailing", `{} {}`, ":1:4: unexpected data after the JSON object"},
		{"unknown top", "{\n \"deniedTool\": []}", `:2:2: unknown key "deniedTool" (did you mean "deniedTools"?)`},
		{"unknown nested", `{"sandbox": {"netwrk": true}}`, `:1:14: unknown key "sandbox.netwrk" (did you mean "network"?)`},
		{"unknown far", `{"zzzzzzzzzz": 1}`, `unknown key "zzzzzzzzzz" (known keys: $schema, allowedMcpServers`},
		{"unknown in array", `{"allowedMcpServers": [{"name": "a", "cmd": "x"}]}`, `unknown key "allowedMcpServers[0].cmd"`},
		{"duplicate", `{"disableTrustAll": true, "disableTrustAll": false}`, `:1:27: duplicate key "disableTrustAll"`},
		{"wrong type", `{"disableTrustAll": "yes"}`, `:1:21: "disableTrustAll" must be a boolean, not a string`},
		{"wrong element", `{"deniedCommands": ["ok", 3]}`, `:1:27: "deniedCommands[1]" must be a string, not a number`},
		{"null", `{"aws": null}`, `"aws" must be an object, not null`},
		{"float", `{"audit": {"maxFileBytes": 1.5}}`, `"audit.maxFileBytes" must be a whole number`},
		{"small audit", `{"audit": {"maxFileBytes": 10}}`, `:1:28: "audit.maxFileBytes" is 10; it must be at least 4096`},
		{"audit key", `{"audit": {"publicKey": "not a key"}}`, `:1:25: "audit.publicKey" is not an Ed25519 public key`},
		{"audit fingerprint", `{"audit": {"keyFingerprint": "abc"}}`, `"audit.keyFingerprint" is not an Ed25519 public key (PEM or base64) or a key fingerprint (32 hex digits)`},
		{"audit sink", `{"audit": {"digestSink": "rel/file"}}`, `"audit.digestSink" must be "syslog" or an absolute file path`},
		{"empty pattern", `{"deniedTools": ["x", " "]}`, `:1:23: "deniedTools[1]" is empty`},
		// A bare name that is no built-in tool's was accepted and matched
		// nothing: "EXECUTE_BASH", or an MCP tool's own name.
		{"no such built-in", `{"deniedTools": ["fs_write", "EXECUTE_BASH"]}`, `"EXECUTE_BASH" names no built-in tool, so it would never apply`},
		{"MCP tool by bare name", `{"requireApproval": ["push_files"]}`, `"push_files" names no built-in tool`},
		{"builtin glob matching nothing", `{"deniedTools": ["@builtin/sh*"]}`, `"@builtin/sh*" names no built-in tool`},
		{"bare at", `{"requireApproval": ["@"]}`, `"@" names no MCP server`},
		{"empty models", `{"allowedModels": []}`, `"allowedModels" is empty, which would forbid every model`},
		{"mode", `{"sandbox": {"mode": "full"}}`, `:1:22: "sandbox.mode" is "full"; use "workspace-write" or "read-only"`},
		{"arn", `{"aws": {"attributionRoleArn": "qdev-ai"}}`, `"qdev-ai" is not an IAM role ARN`},
		{"empty scp level", `{"aws": {"scpFiles": [["a.json"], []]}}`, `"aws.scpFiles[1]" is an empty level`},
		{"mcp no name", `{"allowedMcpServers": [{"command": "uvx"}]}`, `"allowedMcpServers[0]" needs a "name"`},
		{"mcp both", `{"allowedMcpServers": [{"name": "a", "command": "x", "url": "https://x"}]}`, `sets both "command" and "url"`},
		{"column counts characters", "{\"$schema\": \"é\", \"x\": 1}", `:1:18: unknown key "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, tt.doc)
			s, err := LoadFile(p)
			if err == nil {
				t.Fatalf("loaded %+v, want error %q", s, tt.want)
			}
			msg := err.Error()
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(msg, "managed settings "+p) {
				t.Errorf("error %q is not a FileError naming the file", msg)
			}
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line containing %q", msg, tt.want)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be cannot be read: that must be
	// an error, never "no managed layer".
	p := filepath.Join(dir, "managed.json")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(p); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("LoadFile(dir) error = %v, want cannot read", err)
	}
}

func TestAWSContextKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "managed.json")
	body := `{"aws": {"policyFiles": ["p.json"], "context": {"aws:PrincipalTag/team": ["platform", "sre"], "qdev:env": ["prod"]}}}`
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.AWS.Context["aws:PrincipalTag/team"]; len(got) != 2 || got[1] != "sre" {
		t.Fatalf("context = %v", s.AWS.Context)
	}
	if err := os.WriteFile(p, []byte(`{"aws": {"context": {"k": "not-a-list"}}}`), 0o600); err == nil {
		if _, err := LoadFile(p); err == nil || !strings.Contains(err.Error(), "aws.context.k") {
			t.Fatalf("a non-list context value must be an error naming it: %v", err)
		}
	}
}

func TestAuditPinsAndSink(t *testing.T) {
	p := writeFile(t, `{"audit": {"keyFingerprint": "0123456789abcdef0123456789ABCDEF", "publicKey": "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", "digestSink": "syslog"}}`)
	s, err := LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Audit.KeyFingerprint == "" || s.Audit.PublicKey == "" || s.Audit.DigestSink != "syslog" {
		t.Errorf("audit = %+v", s.Audit)
	}
}
