package managed

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// Vocabularies the random policies and probes are drawn from: patterns and
// the names they may or may not match.
var (
	toolPats    = []string{"fs_write", "fs_*", "@builtin", "execute_bash", "@git", "@git/push_*", "use_aws", "*"}
	toolProbes  = [][2]string{{"fs_write", ""}, {"fs_read", ""}, {"execute_bash", ""}, {"use_aws", ""}, {"push_files", "git"}, {"search", "web"}}
	cmdPats     = []string{"rm -rf *", "terraform apply *", "curl *", "git push*"}
	cmdProbes   = []string{"rm -rf /", "terraform apply", "curl x", "git push origin", "ls"}
	modelPats   = []string{"bedrock/*", "openai/gpt-4.1", "*", "openai/*", "ollama/llama3"}
	modelProbes = []string{"bedrock/claude", "openai/gpt-4.1", "openai/o3", "ollama/llama3", "anthropic/x"}
	mcpEntries  = []MCPServer{{Name: "*"}, {Name: "git", Command: "/usr/bin/uvx"}, {Name: "web", URL: "https://*"}, {Name: "g*"}}
	mcpProbes   = [][3]string{{"git", "/usr/bin/uvx", ""}, {"git", "/tmp/evil", ""}, {"web", "", "https://x"}, {"web", "", "http://x"}, {"gh", "/bin/gh", ""}}
	modes       = []string{"", ModeWorkspaceWrite, ModeReadOnly}
)

// randomPolicy builds a policy from the bits of seed, as LoadFile would
// leave it (present, with Files).
func randomPolicy(seed uint64, file string) *Settings {
	bit := func() bool { b := seed&1 == 1; seed = seed>>1 | seed<<63; return b }
	pick := func(n int) int { v := int(seed % uint64(n)); seed = seed/uint64(n) | seed<<60; return v }
	subset := func(vals []string) []string {
		var out []string
		for _, v := range vals {
			if bit() {
				out = append(out, v)
			}
		}
		return out
	}
	s := &Settings{Path: file, Present: true, Files: []string{file}}
	s.DeniedTools, s.RequireApproval = subset(toolPats), subset(toolPats)
	s.DeniedCommands = subset(cmdPats)
	s.DisableTrustAll = bit()
	if bit() {
		s.AllowedModels = append([]string{}, subset(modelPats)...)
		if len(s.AllowedModels) == 0 {
			s.AllowedModels = []string{modelPats[pick(len(modelPats))]}
		}
	}
	if bit() {
		s.AllowedMCPServers = []MCPServer{}
		for _, e := range mcpEntries {
			if bit() {
				s.AllowedMCPServers = append(s.AllowedMCPServers, e)
			}
		}
	}
	if bit() {
		s.AWS.PolicyFiles = []string{file + ".identity"}
	}
	if bit() {
		s.AWS.SCPFiles = [][]string{{file + ".scp"}}
	}
	if bit() {
		s.AWS.AttributionRoleArn = "arn:aws:iam::123456789012:role/" + filepath.Base(file)
		s.AWS.Context = map[string][]string{"aws:PrincipalTag/team": {filepath.Base(file)}}
	}
	if s.Sandbox.Mode = modes[pick(len(modes))]; s.Sandbox.Mode != "" {
		s.Sandbox.Required, s.Sandbox.MCPServers = bit(), bit()
		if bit() {
			n := bit()
			s.Sandbox.Network = &n
		}
		if bit() {
			s.Sandbox.WritablePaths = []string{file + ".writable"}
		}
	}
	if bit() {
		s.Audit = Audit{Dir: file + ".audit", MaxFileBytes: 1 << 20}
	}
	return s
}

// looser names the first dimension on which m is looser than sys, "" when
// there is none.
func looser(sys, m *Settings) string {
	for _, p := range toolProbes {
		if _, d := sys.DenyTool(p[0], p[1]); d {
			if _, d := m.DenyTool(p[0], p[1]); !d {
				return fmt.Sprintf("tool %v no longer denied", p)
			}
		}
		if sys.RequiresApproval(p[0], p[1]) && !m.RequiresApproval(p[0], p[1]) {
			return fmt.Sprintf("tool %v no longer requires approval", p)
		}
	}
	for _, c := range cmdProbes {
		if _, d := sys.DenyCommand(c); d {
			if _, d := m.DenyCommand(c); !d {
				return fmt.Sprintf("command %q no longer denied", c)
			}
		}
	}
	if ok, _ := sys.TrustAllAllowed(); !ok {
		if ok, _ := m.TrustAllAllowed(); ok {
			return "trust-all allowed again"
		}
	}
	for _, ref := range modelProbes {
		if ok, _ := m.ModelAllowed(ref); ok {
			if ok, _ := sys.ModelAllowed(ref); !ok {
				return fmt.Sprintf("model %q allowed", ref)
			}
		}
	}
	for _, p := range mcpProbes {
		if ok, _ := m.MCPServerAllowed(p[0], p[1], p[2]); ok {
			if ok, _ := sys.MCPServerAllowed(p[0], p[1], p[2]); !ok {
				return fmt.Sprintf("MCP server %v allowed", p)
			}
		}
	}
	a, b := sys.AWS, m.AWS
	switch {
	case len(a.PolicyFiles)+len(a.SCPFiles) > 0 && !slices.Equal(a.PolicyFiles, b.PolicyFiles):
		return fmt.Sprintf("identity policies %q became %q", a.PolicyFiles, b.PolicyFiles)
	case len(b.SCPFiles) < len(a.SCPFiles) || !slices.EqualFunc(a.SCPFiles, b.SCPFiles[:len(a.SCPFiles)], slices.Equal[[]string]):
		return "SCP levels dropped"
	case a.AttributionRoleArn != "" && a.AttributionRoleArn != b.AttributionRoleArn:
		return "attribution role changed"
	case (len(a.Context) > 0 || len(a.PolicyFiles)+len(a.SCPFiles) > 0) && fmt.Sprint(a.Context) != fmt.Sprint(b.Context):
		return "AWS context changed"
	}
	x, y := sys.Sandbox, m.Sandbox
	switch {
	case x.Mode != "" && y.Mode == "", x.Mode == ModeReadOnly && y.Mode != ModeReadOnly:
		return fmt.Sprintf("sandbox mode %q became %q", x.Mode, y.Mode)
	case x.Required && !y.Required, x.MCPServers && !y.MCPServers:
		return "sandbox requirement dropped"
	case x.Network != nil && !*x.Network && (y.Network == nil || *y.Network):
		return "network allowed"
	case x.Mode != "" && !slices.Equal(x.WritablePaths, y.WritablePaths):
		return fmt.Sprintf("writable paths %q became %q", x.WritablePaths, y.WritablePaths)
	}
	if sys.Audit.Dir != "" && sys.Audit != m.Audit {
		return "audit settings moved"
	}
	return ""
}

// FuzzMergeNeverLoosens: whatever the override holds, the merged policy is
// at least as strict as the system file on every dimension.
func FuzzMergeNeverLoosens(f *testing.F) {
	for _, seed := range [][2]uint64{{0, 0}, {^uint64(0), 0}, {0, ^uint64(0)}, {0x5555555555555555, 0xaaaaaaaaaaaaaaaa}, {12345, 67890}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(checkMerge)
}

// TestMergeNeverLoosens runs the fuzz property over a fixed stream of
// random pairs, so that plain go test covers it widely.
func TestMergeNeverLoosens(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		checkMerge(t, r.Uint64(), r.Uint64())
	}
}

// checkMerge merges the policies drawn from a and b and fails when the
// result is looser than either file.
func checkMerge(t *testing.T, a, b uint64) {
	t.Helper()
	{
		sys, ov := randomPolicy(a, "/etc/qdev/managed.json"), randomPolicy(b, "/home/u/override.json")
		m := Merge(sys, ov)
		if why := looser(sys, m); why != "" {
			t.Fatalf("merge loosened the system policy: %s\nsystem   %+v\noverride %+v\nmerged   %+v", why, sys, ov, m)
		}
		// The merge honours the override's restrictions too.
		for _, p := range toolProbes {
			if _, d := ov.DenyTool(p[0], p[1]); d {
				if _, d := m.DenyTool(p[0], p[1]); !d {
					t.Fatalf("override's denial of %v lost", p)
				}
			}
		}
		for _, ref := range modelProbes {
			if ok, _ := m.ModelAllowed(ref); ok {
				if ok, _ := ov.ModelAllowed(ref); !ok {
					t.Fatalf("model %q allowed against the override", ref)
				}
			}
		}
	}
}

// The property must be able to fail: a merge that let the override win
// is caught.
func TestLooserDetectsLoosening(t *testing.T) {
	sys := randomPolicy(^uint64(0), "/etc/qdev/managed.json")
	if why := looser(sys, &Settings{}); why == "" {
		t.Fatal("an empty policy was not found looser than a full one")
	}
}

func TestMergeProvenanceMarksIgnored(t *testing.T) {
	sys := writeFile(t, `{"audit": {"dir": "/var/log/qdev"}, "sandbox": {"writablePaths": ["/opt"]}}`)
	ov := writeFile(t, `{"audit": {"dir": "/tmp/elsewhere"}, "sandbox": {"writablePaths": ["/etc"]}, "deniedTools": ["thinking"]}`)
	s, err := LoadPaths(sys, ov)
	if err != nil {
		t.Fatal(err)
	}
	if s.Audit.Dir != "/var/log/qdev" || !slices.Equal(s.Sandbox.WritablePaths, []string{"/opt"}) {
		t.Errorf("override moved the audit dir or added writable paths: %+v", s)
	}
	got := map[string]bool{}
	for _, e := range s.Provenance() {
		if e.File == ov {
			got[e.Key] = e.Ignored
		}
	}
	want := map[string]bool{"audit.dir": true, "sandbox.writablePaths": true, "deniedTools": false}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("override provenance ignored flags = %v, want %v", got, want)
	}
}

// A decision names the file whose rule took it, system or additional.
func TestRuleSource(t *testing.T) {
	sys := writeFile(t, `{"deniedTools": ["fs_write"], "requireApproval": ["use_aws"]}`)
	ov := writeFile(t, `{"deniedTools": ["execute_bash"], "deniedCommands": ["rm -rf *"]}`)
	s, err := LoadPaths(sys, ov)
	if err != nil {
		t.Fatal(err)
	}
	for rule, want := range map[string]string{
		`deniedTools "fs_write"`:                                           sys,
		Blocked(`deniedTools "execute_bash"`):                              ov,
		Blocked(`deniedCommands "rm -rf *"`):                               ov,
		`organisation policy requires approval: requireApproval "use_aws"`: sys,
		Blocked("deniedCommands (the command could not be parsed)"):        sys,
	} {
		if got := s.RuleSource(rule); got != want {
			t.Errorf("RuleSource(%q) = %q, want %q", rule, got, want)
		}
	}
	alone, err := LoadPaths(filepath.Join(t.TempDir(), "absent.json"), ov)
	if err != nil {
		t.Fatal(err)
	}
	if got := alone.RuleSource("deniedCommands (x)"); got != ov {
		t.Errorf("without a system file the fallback source is %q, want %q", got, ov)
	}
}
