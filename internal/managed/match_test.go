package managed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDenyTool(t *testing.T) {
	s := &Settings{DeniedTools: []string{"fs_write", "@github/push_*", "@evil", "@builtin/use_*", "@tmp*"}}
	tests := []struct {
		name, server string
		rule         string
	}{
		{"fs_write", "", `deniedTools "fs_write"`},
		{"fs_write", "builtin", `deniedTools "fs_write"`},
		{"fs_read", "", ""},
		{"use_aws", "", `deniedTools "@builtin/use_*"`},
		{"push_files", "github", `deniedTools "@github/push_*"`},
		{"get_issue", "github", ""},
		{"anything", "evil", `deniedTools "@evil"`},
		{"x", "tmpfs", `deniedTools "@tmp*"`},
		// A pattern without '@' names built-in tools only.
		{"fs_write", "git", ""},
	}
	for _, tt := range tests {
		rule, denied := s.DenyTool(tt.name, tt.server)
		if rule != tt.rule || denied != (tt.rule != "") {
			t.Errorf("DenyTool(%q, %q) = %q, %v; want %q", tt.name, tt.server, rule, denied, tt.rule)
		}
	}
	all := &Settings{DeniedTools: []string{"@builtin"}, RequireApproval: []string{"*", "@*"}}
	if _, denied := all.DenyTool("introspect", ""); !denied {
		t.Error(`"@builtin" did not deny a built-in tool`)
	}
	if _, denied := all.DenyTool("introspect", "x"); denied {
		t.Error(`"@builtin" denied an MCP tool`)
	}
	if !all.RequiresApproval("fs_read", "") || !all.RequiresApproval("t", "srv") {
		t.Error(`"*" and "@*" do not require approval for every tool`)
	}
	if rule, ok := all.ApprovalRule("t", "srv"); !ok || rule != `requireApproval "@*"` {
		t.Errorf("ApprovalRule = %q, %v", rule, ok)
	}
	var none *Settings
	if _, denied := none.DenyTool("fs_write", ""); denied || none.RequiresApproval("fs_write", "") {
		t.Error("a nil Settings restricted a tool")
	}
}

func TestDenyCommand(t *testing.T) {
	s := &Settings{DeniedCommands: []string{"rm -rf *", "terraform apply*", "git push * --force", "kubectl delete *"}}
	tests := []struct {
		text, rule string
	}{
		{"rm -rf /", `deniedCommands "rm -rf *"`},
		{"rm -rf", `deniedCommands "rm -rf *"`}, // trailing " *" allows no arguments
		{"rm  -rf   build", `deniedCommands "rm -rf *"`},
		{"/bin/rm -rf x", `deniedCommands "rm -rf *"`},
		{`\rm -rf x`, `deniedCommands "rm -rf *"`},
		{"FOO=1 BAR=2 rm -rf x", `deniedCommands "rm -rf *"`},
		{"rm -r x", ""},
		{"echo rm -rf x", ""},
		{"terraform apply", `deniedCommands "terraform apply*"`},
		{"terraform apply -auto-approve", `deniedCommands "terraform apply*"`},
		{"terraform plan", ""},
		{"git push origin main --force", `deniedCommands "git push * --force"`},
		{"git push origin main", ""},
		{"kubectl delete", `deniedCommands "kubectl delete *"`},
		{"kubectl deleted", ""},
		{"X=1", ""},
	}
	for _, tt := range tests {
		rule, denied := s.DenyCommand(tt.text)
		if rule != tt.rule || denied != (tt.rule != "") {
			t.Errorf("DenyCommand(%q) = %q, %v; want %q", tt.text, rule, denied, tt.rule)
		}
	}
	if _, denied := (&Settings{}).DenyCommand("rm -rf /"); denied {
		t.Error("no deniedCommands denied a command")
	}
}

func TestModelAllowed(t *testing.T) {
	s := &Settings{AllowedModels: []string{"bedrock/*", "openai/gpt-4.1"}}
	tests := []struct {
		ref  string
		ok   bool
		rule string
	}{
		{"bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", true, `allowedModels "bedrock/*"`},
		{"openai/gpt-4.1", true, `allowedModels "openai/gpt-4.1"`},
		{"openai/gpt-4.1-mini", false, `allowedModels ["bedrock/*", "openai/gpt-4.1"] does not include "openai/gpt-4.1-mini"`},
	}
	for _, tt := range tests {
		ok, rule := s.ModelAllowed(tt.ref)
		if ok != tt.ok || rule != tt.rule {
			t.Errorf("ModelAllowed(%q) = %v, %q; want %v, %q", tt.ref, ok, rule, tt.ok, tt.rule)
		}
	}
	if ok, rule := (&Settings{}).ModelAllowed("x/y"); !ok || rule != "" {
		t.Error("absent allowedModels refused a model")
	}
}

// exe writes an executable file at path and returns path with symbolic
// links resolved, as mcp.ResolveCommand gives commands.
func exe(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func TestMCPServerAllowed(t *testing.T) {
	dir := t.TempDir()
	uvx := exe(t, filepath.Join(dir, "bin", "uvx"))
	evil := exe(t, filepath.Join(dir, "evil", "uvx"))
	link := filepath.Join(dir, "link", "uvx")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(uvx, link); err != nil {
		t.Fatal(err)
	}
	s := &Settings{AllowedMCPServers: []MCPServer{
		{Name: "git", Command: link},
		{Name: "docs-*", URL: "https://mcp.example.com/*"},
		{Name: "fs"},
		{Name: "tools", Command: filepath.Join(dir, "bin", "*")},
	}}
	tests := []struct {
		name, command, url string
		ok                 bool
		rule               string
	}{
		{"git", uvx, "", true, "allowedMcpServers[0]"},
		{"git", evil, "", false, `allowedMcpServers has no entry for MCP server "git" (command "` + evil + `")`},
		{"git", "uvx", "", false, `allowedMcpServers has no entry for MCP server "git" (command "uvx")`},
		{"git", "", "https://x", false, `allowedMcpServers has no entry for MCP server "git" (url "https://x")`},
		{"docs-aws", "", "https://mcp.example.com/aws", true, "allowedMcpServers[1]"},
		{"docs-aws", uvx, "", false, `allowedMcpServers has no entry for MCP server "docs-aws" (command "` + uvx + `")`},
		{"fs", "anything", "", true, "allowedMcpServers[2]"},
		{"tools", uvx, "", true, "allowedMcpServers[3]"},
		{"tools", evil, "", false, `allowedMcpServers has no entry for MCP server "tools" (command "` + evil + `")`},
	}
	for _, tt := range tests {
		ok, rule := s.MCPServerAllowed(tt.name, tt.command, tt.url)
		if ok != tt.ok || rule != tt.rule {
			t.Errorf("MCPServerAllowed(%q, %q, %q) = %v, %q; want %v, %q", tt.name, tt.command, tt.url, ok, rule, tt.ok, tt.rule)
		}
	}
	if ok, _ := (*Settings)(nil).MCPServerAllowed("x", "y", ""); !ok {
		t.Error("no managed layer refused an MCP server")
	}
}

// A bare program name in a pattern means what the system's PATH finds,
// never a file of the same name elsewhere.
func TestMCPCommandBareName(t *testing.T) {
	var sh string
	for _, d := range filepath.SplitList(SystemPATH) {
		if isExecutable(filepath.Join(d, "sh")) {
			sh, _ = filepath.EvalSymlinks(filepath.Join(d, "sh"))
			break
		}
	}
	if sh == "" {
		t.Skip("no sh on the system PATH")
	}
	shadow := exe(t, filepath.Join(t.TempDir(), "sh"))
	s := &Settings{AllowedMCPServers: []MCPServer{{Name: "*", Command: "sh"}}}
	if ok, rule := s.MCPServerAllowed("a", sh, ""); !ok {
		t.Errorf("the system's sh (%s) refused: %s", sh, rule)
	}
	if ok, _ := s.MCPServerAllowed("a", shadow, ""); ok {
		t.Errorf("a program named sh outside the system PATH (%s) was allowed", shadow)
	}
	s.AllowedMCPServers[0].Command = "s[h]"
	if ok, _ := s.MCPServerAllowed("a", shadow, ""); ok {
		t.Error("a bare glob allowed a program outside the system PATH")
	}
}

func TestBlockedMessages(t *testing.T) {
	if ok, rule := (&Settings{DisableTrustAll: true}).TrustAllAllowed(); ok || rule != "disableTrustAll" {
		t.Errorf("TrustAllAllowed = %v, %q", ok, rule)
	}
	if ok, _ := (&Settings{}).TrustAllAllowed(); !ok {
		t.Error("trust-all refused without disableTrustAll")
	}
	err := &PolicyError{Rule: `deniedCommands "rm -rf *"`}
	if got := err.Error(); got != `blocked by organisation policy: deniedCommands "rm -rf *"` {
		t.Errorf("PolicyError = %q", got)
	}
	if !strings.HasPrefix(Blocked("x"), BlockedPrefix) {
		t.Error("Blocked lacks the prefix")
	}
}

// A policy written with the Kiro CLI's names of built-in tools applies to
// the tools, and names the rule as written.
func TestToolAliasesInPolicy(t *testing.T) {
	s := &Settings{DeniedTools: []string{"shell", "@builtin/aws"}, RequireApproval: []string{"write"}}
	if rule, denied := s.DenyTool("execute_bash", ""); !denied || rule != `deniedTools "shell"` {
		t.Errorf("shell: %q %v", rule, denied)
	}
	if _, denied := s.DenyTool("use_aws", ""); !denied {
		t.Error("@builtin/aws does not deny use_aws")
	}
	if rule, ok := s.ApprovalRule("fs_write", ""); !ok || rule != `requireApproval "write"` {
		t.Errorf("write: %q %v", rule, ok)
	}
	if _, denied := s.DenyTool("shell", "srv"); denied {
		t.Error("an MCP tool called shell is not the built-in")
	}
}
