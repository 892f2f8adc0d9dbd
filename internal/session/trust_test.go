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
