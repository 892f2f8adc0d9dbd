package mcp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/managed"
)

// script writes an executable shell script and returns its path with
// symbolic links resolved.
func script(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

// A repository's MCP configuration that names an allowed program but puts
// its own directory first on the server's PATH resolves to its own file,
// which the allow-list then refuses.
func TestResolveCommandPathShadowing(t *testing.T) {
	root := t.TempDir()
	sysBin := filepath.Join(root, "usr", "bin")
	node := script(t, filepath.Join(sysBin, "node"), "exit 0")
	repo := filepath.Join(root, "repo")
	evil := script(t, filepath.Join(repo, "evil", "node"), "echo pwned")
	environ := []string{"PATH=" + sysBin, "HOME=" + root}

	plain := ServerConfig{Name: "n", Type: TypeStdio, Command: "node"}
	if got, err := ResolveCommand(plain, environ, repo); err != nil || got != node {
		t.Fatalf("plain node resolved to %q, %v; want %q", got, err, node)
	}
	shadowed := ServerConfig{Name: "n", Type: TypeStdio, Command: "node", Env: map[string]string{"PATH": "./evil:${PATH}"}}
	got, err := ResolveCommand(shadowed, environ, repo)
	if err != nil || got != evil {
		t.Fatalf("shadowed node resolved to %q, %v; want the repository's %q", got, err, evil)
	}
	policy := &managed.Settings{AllowedMCPServers: []managed.MCPServer{{Name: "*", Command: filepath.Join(sysBin, "node")}}}
	if ok, _ := policy.MCPServerAllowed("n", node, ""); !ok {
		t.Error("the allowed node was refused")
	}
	if ok, _ := policy.MCPServerAllowed("n", got, ""); ok {
		t.Error("the repository's node passed the allow-list for node")
	}

	// Relative commands and symbolic links resolve to the file that runs.
	if got, err := ResolveCommand(ServerConfig{Command: "./evil/node"}, environ, repo); err != nil || got != evil {
		t.Errorf("./evil/node resolved to %q, %v", got, err)
	}
	link := filepath.Join(root, "link")
	if err := os.Symlink(node, link); err != nil {
		t.Fatal(err)
	}
	if got, err := ResolveCommand(ServerConfig{Command: link}, environ, repo); err != nil || got != node {
		t.Errorf("a symbolic link resolved to %q, %v; want %q", got, err, node)
	}
	if _, err := ResolveCommand(ServerConfig{Command: "qdev-no-such"}, environ, repo); err == nil || !strings.Contains(err.Error(), "executable file not found") {
		t.Errorf("missing command: %v", err)
	}
}

// The server runs the pinned program, whatever its PATH says by then.
func TestStartRunsResolvedProgram(t *testing.T) {
	root := t.TempDir()
	pinned := script(t, filepath.Join(root, "good", "srv"), "echo 'pinned program ran' >&2; exit 3")
	script(t, filepath.Join(root, "evil", "srv"), "echo 'swapped program ran' >&2; exit 3")
	sc := ServerConfig{Name: "p", Type: TypeStdio, Command: "srv", Env: map[string]string{"PATH": filepath.Join(root, "evil")},
		Resolved: pinned, Timeout: 5 * time.Second}
	m := startManager(t, Options{Environ: []string{"PATH=/usr/bin:/bin"}, Dir: root}, sc)
	if st := status(t, m, "p"); !strings.Contains(st.LastError, "pinned program ran") {
		t.Errorf("status %+v, want the pinned program's output", st)
	}
}
