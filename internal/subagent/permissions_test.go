package subagent

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/managed"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/tool"
)

// genConfig is a random agent file's permission part.
func genConfig(r *rand.Rand, cwd, home string) permission.Config {
	names := []string{"fs_read", "fs_write", "execute_bash", "use_aws", "@git", "@git/status", "fs_*", "@builtin", "*", "use_subagent"}
	var allowed []string
	for _, n := range names {
		if r.Intn(4) == 0 {
			allowed = append(allowed, n)
		}
	}
	settings := map[string]json.RawMessage{}
	pick := func(tool string, options ...string) {
		if r.Intn(2) == 0 {
			settings[tool] = json.RawMessage(options[r.Intn(len(options))])
		}
	}
	pick("execute_bash", `{"allowedCommands":["ls.*","git status"]}`, `{"deniedCommands":["rm .*"]}`,
		`{"autoAllowReadonly":true}`, `{"denyByDefault":true,"allowedCommands":["ls.*"]}`)
	pick("fs_write", `{"allowedPaths":["src/**"]}`, `{"deniedPaths":["secret/**"]}`, `{"allowedPaths":["**"],"fallbackAction":"deny"}`)
	pick("fs_read", `{"deniedPaths":["secret/**"]}`, `{"allowReadOnly":true}`, `{"allowedPaths":["/etc/**"]}`)
	pick("use_aws", `{"allowedServices":["s3"]}`, `{"deniedServices":["iam"]}`, `{"autoAllowReadonly":true}`)
	pick("use_subagent", `{"trustedAgents":["*"]}`, `{"availableAgents":["reviewer"]}`)
	return permission.Config{AllowedTools: allowed, ToolsSettings: settings, Cwd: cwd, Home: home}
}

// genManaged is a random organisation policy, nil for none.
func genManaged(r *rand.Rand) *managed.Settings {
	if r.Intn(3) == 0 {
		return nil
	}
	m := &managed.Settings{Present: true}
	if r.Intn(2) == 0 {
		m.DeniedCommands = []string{"rm *", "curl *"}
	}
	if r.Intn(3) == 0 {
		m.DeniedTools = []string{"use_aws"}
	}
	if r.Intn(3) == 0 {
		m.RequireApproval = []string{"execute_bash"}
	}
	m.DisableTrustAll = r.Intn(3) == 0
	return m
}

type genCall struct {
	tool, server string
	acc          tool.Access
}

func genCallOf(r *rand.Rand, cwd string) genCall {
	cmds := []string{"ls -la", "git status", "rm -rf build", "curl https://example.com", "cat README | wc -l", "echo $(rm x)", "make"}
	paths := []string{filepath.Join(cwd, "src/a.go"), filepath.Join(cwd, "secret/key"), "/etc/passwd", filepath.Join(cwd, "README")}
	switch r.Intn(8) {
	case 0:
		return genCall{tool: "fs_read", acc: tool.Access{ReadPaths: []string{paths[r.Intn(len(paths))]}}}
	case 1:
		return genCall{tool: "fs_write", acc: tool.Access{WritePaths: []string{paths[r.Intn(len(paths))]}}}
	case 2, 3:
		return genCall{tool: "execute_bash", acc: tool.Access{Command: cmds[r.Intn(len(cmds))]}}
	case 4:
		svc := []string{"s3", "iam", "ec2"}[r.Intn(3)]
		op := []string{"list-buckets", "delete-user", "describe-instances"}[r.Intn(3)]
		return genCall{tool: "use_aws", acc: tool.Access{AWSService: svc, AWSOperation: op}}
	case 5:
		return genCall{tool: "status", server: []string{"git", "other"}[r.Intn(2)]}
	case 6:
		return genCall{tool: "introspect", acc: tool.Access{AlwaysAllowed: true}}
	}
	return genCall{tool: "use_subagent", acc: tool.Access{Agents: []string{"reviewer"}}}
}

var trustable = []string{"fs_read", "fs_write", "execute_bash", "use_aws", "@git", "@git/status", "@other"}

// For generated parents (organisation policy, agent file, launch flags,
// trust changes during the session), subagent files and calls, a
// subagent's verdict is never more permissive than its parent session's
// nor than its own file's, before and after the user trusts tools at the
// subagent's questions and at the parent's: Deny over Ask over Allow.
func TestSubagentNeverExceedsParent(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	n := 400
	if testing.Short() {
		n = 60
	}
	for i := range n {
		cwd, home := t.TempDir(), t.TempDir()
		m := genManaged(r)
		opts := permission.Options{}
		switch r.Intn(4) {
		case 0:
			opts.TrustAll = m == nil || !m.DisableTrustAll
		case 1:
			opts.TrustToolsSet, opts.TrustTools = true, []string{trustable[r.Intn(len(trustable))]}
		}
		pcfg := genConfig(r, cwd, home)
		pcfg.DisableTrustAll = m != nil && m.DisableTrustAll
		pc, _, err := permission.New(pcfg, opts)
		if err != nil {
			continue // flags the organisation forbids: no session
		}
		parent := &permission.Layered{Checker: pc, Managed: m}
		for range r.Intn(3) {
			if r.Intn(2) == 0 {
				_ = parent.Trust(trustable[r.Intn(len(trustable))])
			} else {
				_ = parent.Untrust(trustable[r.Intn(len(trustable))])
			}
		}
		ccfg := genConfig(r, cwd, home)
		ccfg.DisableTrustAll = pcfg.DisableTrustAll
		own, _, err := permission.New(ccfg, opts)
		if err != nil {
			t.Fatalf("case %d: the child's layer: %v", i, err)
		}
		child := &Permissions{Parent: parent, Own: own, remember: &trustList{}}
		for step := range 12 {
			c := genCallOf(r, cwd)
			got := child.Decide(c.tool, c.server, c.acc)
			p := parent.Decide(c.tool, c.server, c.acc)
			o := own.Decide(c.tool, c.server, c.acc)
			if got.Kind < p.Kind || got.Kind < o.Kind {
				t.Fatalf("case %d step %d: %s%s %+v: subagent %v (%s), parent %v (%s), own file %v (%s)\nparent %+v\nchild %+v\nmanaged %+v",
					i, step, server(c), c.tool, c.acc, got.Kind, got.Rule, p.Kind, p.Rule, o.Kind, o.Rule, pcfg, ccfg, m)
			}
			if got.Kind != max(p.Kind, o.Kind) {
				t.Fatalf("case %d step %d: subagent %v, want the stricter of %v and %v", i, step, got.Kind, p.Kind, o.Kind)
			}
			if p.Kind == permission.Deny && (got.Rule != p.Rule || got.Layer != p.Layer) {
				t.Fatalf("case %d: the parent's denial %q became %q", i, p.Rule, got.Rule)
			}
			switch r.Intn(4) {
			case 0: // "t" at the subagent's question
				_ = child.Trust(trustable[r.Intn(len(trustable))])
			case 1: // /tools in the parent session
				_ = parent.Untrust(trustable[r.Intn(len(trustable))])
			}
		}
	}
}

func server(c genCall) string {
	if c.server == "" {
		return ""
	}
	return "@" + c.server + "/"
}

// The answer t at a subagent's question trusts the tool for the session:
// the parent and later subagents no longer ask, but the organisation's
// requireApproval still refuses to be trusted, and deny rules still deny.
func TestTrustAtASubagentsQuestion(t *testing.T) {
	cwd, home := t.TempDir(), t.TempDir()
	pc, _, err := permission.New(permission.Config{Cwd: cwd, Home: home}, permission.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := &managed.Settings{Present: true, RequireApproval: []string{"use_aws"}, DeniedCommands: []string{"rm *"}}
	parent := &permission.Layered{Checker: pc, Managed: m}
	own, _, err := permission.New(permission.Config{Cwd: cwd, Home: home}, permission.Options{})
	if err != nil {
		t.Fatal(err)
	}
	remember := &trustList{}
	child := &Permissions{Parent: parent, Own: own, remember: remember}
	ls := tool.Access{Command: "ls"}
	if d := child.Decide("execute_bash", "", ls); d.Kind != permission.Ask {
		t.Fatalf("before trust: %v", d.Kind)
	}
	if err := child.Trust("execute_bash"); err != nil {
		t.Fatal(err)
	}
	if d := child.Decide("execute_bash", "", ls); d.Kind != permission.Allow {
		t.Fatalf("after trust, the subagent: %v %q", d.Kind, d.Rule)
	}
	if d := parent.Decide("execute_bash", "", ls); d.Kind != permission.Allow {
		t.Fatalf("after trust, the parent: %v %q", d.Kind, d.Rule)
	}
	if d := child.Decide("execute_bash", "", tool.Access{Command: "rm -rf x"}); d.Kind != permission.Deny || !strings.Contains(d.Rule, "rm *") {
		t.Fatalf("trust beat the organisation's deny: %v %q", d.Kind, d.Rule)
	}
	if err := child.Trust("use_aws"); err == nil || !strings.Contains(err.Error(), permission.RequireApprovalReason) {
		t.Fatalf("requireApproval tool trusted: %v", err)
	}
	if got := remember.list(); fmt.Sprint(got) != "[execute_bash]" {
		t.Fatalf("remembered %v", got)
	}
}
