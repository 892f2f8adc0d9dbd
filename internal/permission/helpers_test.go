package permission

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// newChecker builds a Checker in a temporary working directory. settings
// maps tool names to toolsSettings JSON.
func newChecker(t *testing.T, settings map[string]string, allowed []string, opts Options) (*Checker, []string) {
	t.Helper()
	ts := map[string]json.RawMessage{}
	for k, v := range settings {
		ts[k] = json.RawMessage(v)
	}
	c, warns, err := New(Config{AllowedTools: allowed, ToolsSettings: ts, Cwd: t.TempDir(), Home: t.TempDir()}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, warns
}

func bashSettingsChecker(t *testing.T, settings string, allowed ...string) *Checker {
	t.Helper()
	var s map[string]string
	if settings != "" {
		s = map[string]string{"execute_bash": settings}
	}
	c, _ := newChecker(t, s, allowed, Options{})
	return c
}

func decideBash(c *Checker, command string) Decision {
	return c.Decide("execute_bash", "", tool.Access{Command: command})
}

// kindCase is one command and the verdict it must get.
type kindCase struct {
	cmd  string
	want Kind
}

func checkKinds(t *testing.T, c *Checker, cases []kindCase) {
	t.Helper()
	for _, tc := range cases {
		if got := decideBash(c, tc.cmd); got.Kind != tc.want {
			t.Errorf("%q: got %v (%s %q), want %v", tc.cmd, got.Kind, got.Rule, got.Reasons, tc.want)
		}
	}
}

func hasReason(d Decision, r string) bool { return slices.Contains(d.Reasons, r) }
