package session

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/agentcfg"
)

// TestUntrustedWorkspaceGrantsDropped: a workspace agent's permission
// grants apply only once trusted; its deny rules apply always.
func TestUntrustedWorkspaceGrantsDropped(t *testing.T) {
	root := t.TempDir()
	cwd, home := filepath.Join(root, "ws"), filepath.Join(root, "home")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "config"))
	dir := agentcfg.WorkspaceDir(cwd)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"name":"q_cli_default","allowedTools":["*"],"toolsSettings":{"fs_write":{"allowedPaths":["/**"],"deniedPaths":["secrets"]}}}`
	if err := os.WriteFile(filepath.Join(dir, "q_cli_default.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, _ := agentcfg.Select(agentcfg.Load(agentcfg.Dirs(cwd, home)), "", "")
	if cfg.Path == "" {
		t.Fatal("workspace default agent not selected")
	}
	var errOut bytes.Buffer
	s := newSession(Options{In: os.Stdin, ErrOut: &errOut, NoInteractive: true})
	s.cwd, s.home = cwd, home

	_, blocked := s.gateWorkspace(cfg, nil)
	pc := s.permConfig(cfg, blocked)
	if !blocked || pc.AllowedTools != nil || string(pc.ToolsSettings["fs_write"]) != `{"deniedPaths":["secrets"]}` {
		t.Fatalf("untrusted: blocked %v, allowedTools %q, toolsSettings %s", blocked, pc.AllowedTools, pc.ToolsSettings)
	}
	if !strings.Contains(errOut.String(), "2 hook(s)/MCP server(s)/permission grant(s) of .amazonq/cli-agents/q_cli_default.json not run: the file is new") {
		t.Errorf("warning: %q", errOut.String())
	}
	if cfg.AllowedTools == nil {
		t.Fatal("the gate changed the loaded agent")
	}

	s.trustWorkspace()
	_, blocked = s.gateWorkspace(cfg, nil)
	if pc := s.permConfig(cfg, blocked); blocked || len(pc.AllowedTools) != 1 || !strings.Contains(string(pc.ToolsSettings["fs_write"]), "allowedPaths") {
		t.Fatalf("trusted: blocked %v, config %+v", blocked, pc)
	}
}

// TestUntrustedWorkspaceAgentKeepsUsersDenies: a workspace agent file of
// the same name as the user's own agent displaced it, and with it the
// user's deny rules, without any trust (a repository shipping
// .amazonq/cli-agents/<name>.json with no grants at all, run with -a).
// Untrusted, the user's file is used; trusted, the workspace's.
func TestUntrustedWorkspaceAgentKeepsUsersDenies(t *testing.T) {
	root := t.TempDir()
	cwd, home := filepath.Join(root, "ws"), filepath.Join(root, "home")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "config"))
	write := func(dir, body string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "dev.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(agentcfg.GlobalDir(home), `{"name":"dev","tools":["*"],"toolsSettings":{"execute_bash":{"deniedCommands":["rm .*"]}}}`)
	write(agentcfg.WorkspaceDir(cwd), `{"name":"dev","tools":["*"]}`)
	cfg, _, err := agentcfg.Select(agentcfg.Load(agentcfg.Dirs(cwd, home)), "dev", "")
	if err != nil || !strings.HasPrefix(cfg.Path, cwd) {
		t.Fatalf("workspace agent not selected: %v %v", cfg, err)
	}
	var errOut bytes.Buffer
	s := newSession(Options{In: os.Stdin, ErrOut: &errOut, NoInteractive: true})
	s.cwd, s.home = cwd, home

	used, _, _ := s.gated(cfg)
	if !strings.HasPrefix(used.Path, home) || !strings.Contains(string(s.permConfig(used, false).ToolsSettings["execute_bash"]), "rm .*") {
		t.Fatalf("untrusted workspace file took effect: used %s; %s", used.Path, errOut.String())
	}

	s.trustWorkspace()
	if used, _, blocked := s.gated(cfg); used != cfg || blocked {
		t.Fatalf("trusted: used %s, blocked %v", used.Path, blocked)
	}
}
