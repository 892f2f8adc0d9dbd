package permission

import (
	"os"
	"path/filepath"
	"testing"
)

// TestProtectedConfigAsks: writes to q's own configuration ask with the
// reason whatever trusts fs_write; deny rules still deny; other paths are
// unaffected.
func TestProtectedConfigAsks(t *testing.T) {
	root := t.TempDir()
	home, cwd, cfg := filepath.Join(root, "home"), filepath.Join(root, "ws"), filepath.Join(root, "xdg")
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("Q_MANAGED_SETTINGS", filepath.Join(root, "etc", "qdev", "managed.json"))
	for _, d := range []string{home, cwd, filepath.Join(cwd, "sub"), filepath.Join(cwd, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A link to a .amazonq that does not exist yet, and one to the home
	// directory's agents.
	if err := os.Symlink(filepath.Join(cwd, ".amazonq"), filepath.Join(cwd, "innocent")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(home, ".aws"), filepath.Join(cwd, "aws")); err != nil {
		t.Fatal(err)
	}
	protected := []string{
		".amazonq/cli-agents/evil.json", ".amazonq/mcp.json", ".amazonq/rules/x.md", "sub/.amazonq/cli-agents/a.json",
		".kiro/agents/a.json", ".git/config", ".git/hooks/pre-commit", "sub/.git", "sub/../.AmazonQ/mcp.json",
		"./.amazonq//cli-agents/../hooks.json", "innocent/cli-agents/a.json", "aws/amazonq/cli-agents/a.json",
		filepath.Join(home, ".aws", "amazonq", "mcp.json"), filepath.Join(home, ".kiro", "settings.json"),
		filepath.Join(cfg, "qdev", "settings.json"), filepath.Join(cfg, "qdev", "trusted-workspaces.json"),
		filepath.Join(root, "etc", "qdev", "managed.json"),
	}
	for name, allowed := range map[string][]string{"untrusted": nil, "allowedTools": {"fs_write"}} {
		for _, opts := range []Options{{}, {TrustAll: true}} {
			c := checkerIn(t, cwd, map[string]string{"fs_write": `{"allowedPaths": ["` + cwd + `"]}`}, allowed, opts)
			c.protected = newProtected(home) // checkerIn's home is fixed
			for _, p := range protected {
				d := c.Decide("fs_write", "", writeAcc("ok.txt", p))
				if d.Kind != Ask || d.Rule != ProtectedReason || d.Layer != LayerDefault || !hasReason(d, p) {
					t.Errorf("%s trustAll=%v: write %s = %+v, want Ask for q's configuration", name, opts.TrustAll, p, d)
				}
			}
			if d := c.Decide("fs_write", "", writeAcc("src/main.go", ".github/workflows/x.yml", ".gitignore")); d.Kind == Ask && d.Rule == ProtectedReason {
				t.Errorf("%s: ordinary files judged as configuration: %+v", name, d)
			}
			c.TrustAll()
			if d := c.Decide("fs_write", "", writeAcc(".amazonq/mcp.json")); d.Kind != Ask {
				t.Errorf("%s after /tools trust-all: %+v", name, d)
			}
		}
	}
	c := checkerIn(t, cwd, map[string]string{"fs_write": `{"deniedPaths": [".amazonq"]}`}, []string{"fs_write"}, Options{TrustAll: true})
	if d := c.Decide("fs_write", "", writeAcc(".amazonq/mcp.json")); d.Kind != Deny {
		t.Errorf("denied protected path: %+v, want Deny", d)
	}
}
