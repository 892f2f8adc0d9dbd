package permission

import (
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

func decideAgents(c *Checker, agents ...string) Decision {
	return c.Decide("use_subagent", "", tool.Access{Agents: agents})
}

// availableAgents limits which agents start at all, also when use_subagent
// is trusted; trustedAgents lets a call start without asking only when it
// names every agent of the call.
func TestSubagentSettings(t *testing.T) {
	settings := map[string]string{"use_subagent": `{"availableAgents": ["reviewer", "docs-*"], "trustedAgents": ["reviewer"]}`}
	c, warns := newChecker(t, settings, nil, Options{})
	if len(warns) > 0 {
		t.Fatalf("warnings: %v", warns)
	}
	trustedAll, _ := newChecker(t, settings, nil, Options{TrustAll: true})
	allowed, _ := newChecker(t, settings, []string{"use_subagent"}, Options{})
	open, _ := newChecker(t, nil, nil, Options{})
	openTrusted, _ := newChecker(t, map[string]string{"use_subagent": `{"trustedAgents": ["*"]}`}, nil, Options{})
	none, _ := newChecker(t, map[string]string{"use_subagent": `{"availableAgents": []}`}, []string{"use_subagent"}, Options{})
	for _, tc := range []struct {
		name   string
		c      *Checker
		agents []string
		want   Kind
		rule   string
	}{
		{"trusted agent", c, []string{"reviewer"}, Allow, "trustedAgents"},
		{"available, not trusted", c, []string{"docs-api"}, Ask, "not trusted"},
		{"one untrusted of two", c, []string{"reviewer", "docs-api"}, Ask, "not trusted"},
		{"not available", c, []string{"deployer"}, Deny, "availableAgents"},
		{"glob does not stretch", c, []string{"docs"}, Deny, "availableAgents"},
		{"not available beats trust-all", trustedAll, []string{"deployer"}, Deny, "availableAgents"},
		{"not available beats allowedTools", allowed, []string{"reviewer", "x"}, Deny, "availableAgents"},
		{"allowedTools", allowed, []string{"docs-api"}, Allow, "allowedTools"},
		{"no settings asks", open, []string{"anyone"}, Ask, "not trusted"},
		{"trusted glob", openTrusted, []string{"anyone"}, Allow, "trustedAgents"},
		{"empty availableAgents", none, []string{"reviewer"}, Deny, "availableAgents"},
	} {
		d := decideAgents(tc.c, tc.agents...)
		if d.Kind != tc.want || !strings.Contains(d.Rule, tc.rule) {
			t.Errorf("%s: got %v %q %q, want %v with %q", tc.name, d.Kind, d.Rule, d.Reasons, tc.want, tc.rule)
		}
		if want := tc.rule == "not trusted"; d.Untrusted != want {
			t.Errorf("%s: Untrusted = %v, want %v", tc.name, d.Untrusted, want)
		}
	}
	if err := c.Untrust("use_subagent"); err != nil {
		t.Fatal(err)
	}
	if d := decideAgents(c, "reviewer"); d.Kind != Ask || !d.Untrusted {
		t.Errorf("untrusted use_subagent with a trusted agent: %v %q", d.Kind, d.Rule)
	}
	if !c.SubagentAvailable("docs-x") || c.SubagentAvailable("deployer") || !open.SubagentAvailable("x") || none.SubagentAvailable("x") {
		t.Error("SubagentAvailable disagrees with availableAgents")
	}
}

// Settings that cannot be read let no agent start: which ones are
// available is unknown.
func TestInvalidSubagentSettingsDeny(t *testing.T) {
	c, warns := newChecker(t, map[string]string{"use_subagent": `{"availableAgents": "reviewer"}`}, []string{"use_subagent"}, Options{})
	if len(warns) != 1 || !strings.Contains(warns[0], "no subagent may start") {
		t.Fatalf("warnings: %v", warns)
	}
	if d := decideAgents(c, "reviewer"); d.Kind != Deny {
		t.Fatalf("got %v %q", d.Kind, d.Rule)
	}
	if c.SubagentAvailable("reviewer") {
		t.Fatal("an agent is available under unreadable settings")
	}
	if l := c.Label("use_subagent", ""); !strings.Contains(l, "invalid") {
		t.Fatalf("label %q", l)
	}
}

// Listing the agents (no agent started) is always allowed.
func TestSubagentListIsAllowed(t *testing.T) {
	c, _ := newChecker(t, nil, nil, Options{})
	if d := c.Decide("use_subagent", "", tool.Access{AlwaysAllowed: true}); d.Kind != Allow {
		t.Fatalf("got %v", d.Kind)
	}
}
