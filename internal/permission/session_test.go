package permission

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/qdev/qdev/internal/tool"
)

// state is what a session looks like from the outside: the verdict on a
// read in the working directory, a read elsewhere, a write and a command.
func state(c *Checker) string {
	cwdRead := c.Decide("fs_read", "", readAcc(c.cwd+"/a")).Kind
	farRead := c.Decide("fs_read", "", readAcc("/elsewhere/a")).Kind
	write := c.Decide("fs_write", "", writeAcc(c.cwd+"/a")).Kind
	bash := c.Decide("execute_bash", "", tool.Access{Command: "make"}).Kind
	return fmt.Sprintf("read:%v far:%v write:%v bash:%v", cwdRead, farRead, write, bash)
}

// Acceptance checks 34-43 of spec/cli.md §11.3, as far as permissions go.
func TestSessionTrust(t *testing.T) {
	def := "read:allow far:ask write:ask bash:ask"
	tests := []struct {
		name string
		opts Options
		do   func(c *Checker)
		want string
	}{
		{"default", Options{}, nil, def},
		{"trust fs_write", Options{}, func(c *Checker) { _ = c.Trust("fs_write") }, "read:allow far:ask write:allow bash:ask"},
		{"untrust fs_read", Options{}, func(c *Checker) { _ = c.Untrust("fs_read") }, "read:ask far:ask write:ask bash:ask"},
		{"trust fs_read reads everywhere", Options{}, func(c *Checker) { _ = c.Trust("fs_read") }, "read:allow far:allow write:ask bash:ask"},
		{"trust-all", Options{}, func(c *Checker) { c.TrustAll() }, "read:allow far:allow write:allow bash:allow"},
		{"reset after trust-all", Options{}, func(c *Checker) { c.TrustAll(); c.Reset() }, def},
		{"--trust-tools=fs_read,fs_write", Options{TrustToolsSet: true, TrustTools: []string{"fs_read", "fs_write"}}, nil,
			"read:allow far:allow write:allow bash:ask"},
		{"--trust-tools=", Options{TrustToolsSet: true}, nil, "read:ask far:ask write:ask bash:ask"},
		{"--trust-tools=fs_write", Options{TrustToolsSet: true, TrustTools: []string{"fs_write"}}, nil, "read:ask far:ask write:allow bash:ask"},
		{"--untrust-fs-read", Options{UntrustFsRead: true}, nil, "read:ask far:ask write:ask bash:ask"},
		{"reset restores config defaults, not flags", Options{TrustToolsSet: true, TrustTools: []string{"fs_write"}},
			func(c *Checker) { c.Reset() }, def},
		{"reset after --untrust-fs-read", Options{UntrustFsRead: true}, func(c *Checker) { c.Reset() }, def},
		{"--trust-all-tools", Options{TrustAll: true}, nil, "read:allow far:allow write:allow bash:allow"},
		{"untrust after trust-all wins", Options{TrustAll: true}, func(c *Checker) { _ = c.Untrust("execute_bash") },
			"read:allow far:allow write:allow bash:ask"},
		{"trust-all forgets untrust", Options{}, func(c *Checker) { _ = c.Untrust("fs_write"); c.TrustAll() },
			"read:allow far:allow write:allow bash:allow"},
		{"untrust then trust", Options{}, func(c *Checker) { _ = c.Untrust("fs_read"); _ = c.Trust("fs_read") },
			"read:allow far:allow write:ask bash:ask"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newChecker(t, nil, nil, tt.opts)
			if tt.do != nil {
				tt.do(c)
			}
			if got := state(c); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSessionUntrustBeatsPatternsAndSettings(t *testing.T) {
	c, _ := newChecker(t, map[string]string{
		"execute_bash": `{"allowedCommands": ["make"]}`,
		"fs_write":     `{"allowedPaths": ["/tmp/out"]}`,
	}, []string{"fs_*", "@git"}, Options{})
	if got := state(c); got != "read:allow far:allow write:allow bash:allow" {
		t.Fatalf("configured: %s", got)
	}
	if err := c.Untrust("fs_read", "fs_write", "execute_bash"); err != nil {
		t.Fatal(err)
	}
	if got := state(c); got != "read:ask far:ask write:ask bash:ask" {
		t.Errorf("untrusted: %s", got)
	}
	if d := c.Decide("fs_write", "", writeAcc("/tmp/out/x")); d.Kind != Ask {
		t.Errorf("untrust must also silence allowedPaths: %+v", d)
	}
	c.Reset()
	if got := state(c); got != "read:allow far:allow write:allow bash:allow" {
		t.Errorf("reset: %s", got)
	}
}

func TestSessionMCP(t *testing.T) {
	c, _ := newChecker(t, nil, []string{"@git", "@web/fetch"}, Options{})
	kind := func(server, name string) Kind { return c.Decide(name, server, tool.Access{}).Kind }
	if kind("git", "status") != Allow || kind("web", "fetch") != Allow || kind("web", "post") != Ask || kind("other", "x") != Ask {
		t.Fatal("configured MCP trust")
	}
	_ = c.Untrust("@git")
	if kind("git", "status") != Ask {
		t.Error("untrust @git")
	}
	_ = c.Trust("@git/log")
	if kind("git", "log") != Allow || kind("git", "status") != Ask {
		t.Error("trust one tool of an untrusted server")
	}
	_ = c.Trust("@git")
	if kind("git", "status") != Allow || kind("git", "log") != Allow {
		t.Error("trust the server again")
	}
	_ = c.Untrust("@web/fetch")
	c.TrustAll()
	if kind("later", "loaded") != Allow || kind("web", "fetch") != Allow {
		t.Error("trust-all covers MCP tools, also later ones")
	}
	_ = c.Untrust("@later")
	if kind("later", "loaded") != Ask {
		t.Error("untrust a server under trust-all")
	}
	if d := c.Decide("x", "git", tool.Access{AlwaysAllowed: true}); d.Kind != Allow || d.Rule != "trusted (trust-all)" {
		t.Errorf("AlwaysAllowed is for built-in tools only: %+v", d)
	}
}

func TestSessionRulesAndNames(t *testing.T) {
	c, _ := newChecker(t, nil, []string{"fs_*"}, Options{TrustToolsSet: true, TrustTools: []string{"execute_bash"}})
	_ = c.Trust("use_aws")
	for tool, rule := range map[string]string{
		"fs_write":     `allowedTools "fs_*"`,
		"execute_bash": "trusted by --trust-tools execute_bash",
		"use_aws":      "trusted for this session",
	} {
		if d := c.Decide(tool, "", writeAcc("/x")); d.Rule != rule {
			t.Errorf("%s rule = %q, want %q", tool, d.Rule, rule)
		}
	}
	if d := c.Decide("thinking", "", tool.Access{AlwaysAllowed: true}); d.Kind != Allow || d.Rule != "always allowed" {
		t.Errorf("always allowed: %+v", d)
	}
	for _, bad := range []string{"", "@", "@/x", "@git/", "fs read", "a\x00b"} {
		if err := c.Trust("fs_write", bad); err == nil || !strings.Contains(err.Error(), "invalid tool name") {
			t.Errorf("Trust(%q) error = %v", bad, err)
		}
		if err := c.Untrust(bad); err == nil {
			t.Errorf("Untrust(%q) accepted", bad)
		}
	}
}

func TestLabels(t *testing.T) {
	c, _ := newChecker(t, map[string]string{
		"execute_bash": `{"autoAllowReadonly": true, "deniedCommands": ["rm .*"]}`,
		"use_aws":      `{"allowedServices": ["s3"]}`,
		"fs_write":     `{"allowedPaths": "oops"}`,
	}, []string{"@git"}, Options{})
	want := map[string]string{
		"fs_read":      "trust working directory",
		"fs_write":     "not trusted (invalid toolsSettings)",
		"execute_bash": "trust read-only commands (deny rules apply)",
		"use_aws":      "trust allowed services",
		"report_issue": "not trusted",
		"introspect":   "trusted",
		"knowledge":    "trust paths fs_read may read",
	}
	check := func(when string) {
		for tool, w := range want {
			if got := c.Label(tool, ""); got != w {
				t.Errorf("%s: Label(%s) = %q, want %q", when, tool, got, w)
			}
		}
	}
	check("start")
	if c.Label("status", "git") != "trusted" || c.Label("x", "other") != "not trusted" {
		t.Error("MCP labels")
	}
	_ = c.Untrust("fs_read", "execute_bash")
	want["fs_read"] = "not trusted"
	want["execute_bash"] = "not trusted (deny rules apply)"
	want["knowledge"] = "not trusted"
	check("after untrust")
	c.TrustAll()
	want["fs_read"] = "trusted"
	want["execute_bash"] = "trusted (deny rules apply)"
	want["use_aws"] = "trusted"
	want["knowledge"] = "trusted"
	want["report_issue"] = "trusted"
	check("after trust-all")
	if !c.TrustedAll() {
		t.Error("TrustedAll")
	}
	c.Reset()
	if c.TrustedAll() || c.Label("fs_read", "") != "trust working directory" {
		t.Error("reset")
	}
}

// report_issue writes the transcript to a file: it asks unless trusted,
// while the tools that only think or describe qdev stay allowed.
func TestReportIssueAsks(t *testing.T) {
	c, _ := newChecker(t, nil, nil, Options{})
	acc := tool.Access{WritePaths: []string{"/home/u/.local/share/qdev/reports/issue.md"}}
	if d := c.Decide("report_issue", "", acc); d.Kind != Ask {
		t.Errorf("report_issue: %+v, want ask", d)
	}
	if d := c.Decide("thinking", "", tool.Access{AlwaysAllowed: true}); d.Kind != Allow {
		t.Errorf("thinking: %+v, want allow", d)
	}
	if err := c.Trust("report_issue"); err != nil {
		t.Fatal(err)
	}
	if d := c.Decide("report_issue", "", acc); d.Kind != Allow {
		t.Errorf("trusted report_issue: %+v, want allow", d)
	}
}

// Decide runs while /tools changes trust; run with -race.
func TestConcurrentDecideAndTrust(t *testing.T) {
	c, _ := newChecker(t, map[string]string{"execute_bash": `{"deniedCommands": ["rm .*"]}`}, nil, Options{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if d := c.Decide("execute_bash", "", tool.Access{Command: "ls && rm -rf x"}); d.Kind != Deny {
					t.Errorf("deny must hold under any trust: %+v", d)
					return
				}
				c.Decide("fs_read", "", readAcc("/etc/hosts"))
				c.Decide("status", "git", tool.Access{})
				c.Label("fs_read", "")
				c.TrustedAll()
			}
		}()
	}
	for i := 0; i < 300; i++ {
		_ = c.Trust("fs_read", "@git")
		_ = c.Untrust("fs_read", "@git/status")
		c.TrustAll()
		c.Reset()
	}
	close(stop)
	wg.Wait()
}
