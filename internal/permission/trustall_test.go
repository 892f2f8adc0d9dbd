package permission

import (
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// noTrustAll builds a Checker under disableTrustAll.
func noTrustAll(t *testing.T, allowed []string, opts Options) (*Checker, []string, error) {
	t.Helper()
	return New(Config{AllowedTools: allowed, Cwd: t.TempDir(), Home: t.TempDir(), DisableTrustAll: true}, opts)
}

// trustedCount counts the tools of everyTool that a call of runs unasked.
func trustedCount(c *Checker) int {
	n := 0
	for _, name := range everyTool {
		if c.Decide(name, "", tool.Access{Command: "true", WritePaths: []string{"/tmp/x"}, AWSService: "s3", AWSOperation: "put-object"}).Kind == Allow {
			n++
		}
	}
	return n
}

// Under disableTrustAll no path trusts every tool: agent entries that
// would are ignored with a warning, flags are refused with the reason.
func TestDisableTrustAllAgentEntries(t *testing.T) {
	for _, allowed := range [][]string{
		{"*"}, {"@builtin"}, {"@builtin/*"}, {"@builtin/"}, {"*_*"}, {"fs_write", "execute_bash", "use_aws"},
		{"fs_*", "execute_*", "use_*"}, {"@builtin/fs_write", "@builtin/execute_bash", "@builtin/use_aws"},
	} {
		c, warns, err := noTrustAll(t, allowed, Options{})
		if err != nil {
			t.Fatalf("%q: %v", allowed, err)
		}
		if n := trustedCount(c); n == len(everyTool) {
			t.Errorf("%q: every tool is trusted", allowed)
		}
		if len(warns) != 1 || !strings.Contains(warns[0], "disableTrustAll") || strings.Contains(warns[0], "\n") {
			t.Errorf("%q: warnings %q, want one line naming disableTrustAll", allowed, warns)
		}
	}
	// Trusting some of them is fine.
	c, warns, err := noTrustAll(t, []string{"fs_write", "execute_bash", "@git"}, Options{})
	if err != nil || len(warns) != 0 || trustedCount(c) != 2 {
		t.Errorf("partial trust: %v %q %d", err, warns, trustedCount(c))
	}
}

func TestDisableTrustAllFlags(t *testing.T) {
	for name, tc := range map[string]struct {
		allowed []string
		opts    Options
	}{
		"--trust-all-tools":            {nil, Options{TrustAll: true}},
		"--trust-tools *":              {nil, Options{TrustToolsSet: true, TrustTools: []string{"*"}}},
		"--trust-tools listing all":    {nil, Options{TrustToolsSet: true, TrustTools: []string{"fs_write", "execute_bash", "use_aws"}}},
		"--trust-tools completing two": {[]string{"fs_write", "use_aws"}, Options{TrustToolsSet: true, TrustTools: []string{"execute_bash"}}},
	} {
		if _, _, err := noTrustAll(t, tc.allowed, tc.opts); err == nil || !strings.Contains(err.Error(), "disableTrustAll") {
			t.Errorf("%s: err %v, want a refusal naming disableTrustAll", name, err)
		}
	}
}

func TestDisableTrustAllSession(t *testing.T) {
	c, _, err := noTrustAll(t, []string{"fs_write"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Trust("execute_bash"); err != nil {
		t.Fatalf("trusting a second tool: %v", err)
	}
	for _, names := range [][]string{{"use_aws"}, {"*"}, {"@builtin"}} {
		if err := c.Trust(names...); err == nil || !strings.Contains(err.Error(), "disableTrustAll") {
			t.Errorf("Trust(%q) completing every tool: err %v", names, err)
		}
	}
	c.TrustAll()
	if c.TrustedAll() || trustedCount(c) == len(everyTool) {
		t.Error("TrustAll took effect under disableTrustAll")
	}
	c.Reset()
	if trustedCount(c) != 1 {
		t.Errorf("after reset %d trusted, want 1", trustedCount(c))
	}
	// Without the setting everything still works.
	free, _ := newChecker(t, nil, []string{"*"}, Options{})
	if trustedCount(free) != len(everyTool) {
		t.Error("allowedTools * no longer trusts every tool without disableTrustAll")
	}
}
