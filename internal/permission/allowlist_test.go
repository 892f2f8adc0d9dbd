package permission

import "testing"

// The original's tool_permission_checker.rs tests.
func TestAllowedToolsOriginalVectors(t *testing.T) {
	set := func(ps ...string) []entry {
		var es []entry
		for _, p := range ps {
			es = append(es, entry{pattern: p})
		}
		return es
	}
	builtin := func(es []entry, name string) bool { _, ok := matchBuiltin(es, name); return ok }
	mcp := func(es []entry, server, name string) bool { _, ok := matchMCP(es, server, name); return ok }

	es := set("fs_*", "@git")
	if !builtin(es, "fs_read") || mcp(es, "server", "fs_read") || !mcp(es, "git", "status") || builtin(es, "git") {
		t.Error("native vs MCP separation")
	}
	es = set("@*quip*", "@git/read_*")
	if !mcp(es, "quip-server", "tool") || !mcp(es, "git", "read_file") || mcp(es, "git", "write_file") {
		t.Error("MCP wildcard patterns")
	}
	for _, p := range []string{"@builtin", "@builtin/", "@builtin/*"} {
		if es := set(p); !builtin(es, "fs_read") || mcp(es, "server", "tool") {
			t.Errorf("%s", p)
		}
	}
	if es := set("@builtin/fs_read"); !builtin(es, "fs_read") || builtin(es, "fs_write") {
		t.Error("@builtin/fs_read")
	}
	if es := set("@builtin/fs_*"); !builtin(es, "fs_read") || !builtin(es, "fs_write") {
		t.Error("@builtin/fs_*")
	}
	if es := set("@*/status"); !mcp(es, "git", "status") || mcp(es, "git", "log") {
		t.Error("@*/status")
	}
	if es := set("fs_[rw]ead"); builtin(es, "fs_read") {
		t.Error("a pattern without * or ? must match exactly, as in the original")
	}
}
