package permission

import "testing"

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"fs_*", "fs_read", true},
		{"fs_*", "execute_bash", false},
		{"/a/*.pem", "/a/k.pem", true},
		{"/a/*.pem", "/a/sub/k.pem", true}, // globset: '*' crosses '/'
		{"/a/?", "/a/b", true},
		{"/a/?", "/a/bc", false},
		{"/denied/glob/**/path", "/denied/glob/path", true},
		{"/denied/glob/**/path", "/denied/glob/x/y/path", true},
		{"/denied/glob/**/path", "/denied/glob/x/path/child", false},
		{"/a/**", "/a/b/c", true},
		{"/a/**", "/a", false},
		{"**/x", "x", true},
		{"**/x", "a/b/x", true},
		{"**", "anything/at/all", true},
		{"/a/[bc]d", "/a/cd", true},
		{"/a/[!bc]d", "/a/cd", false},
		{"/a/[^bc]d", "/a/xd", true},
		{"/a/[a-c]", "/a/b", true},
		{"/a/[]]", "/a/]", true},
		{"/a/{x,y}/z", "/a/y/z", true},
		{"/a/{x,y}/z", "/a/w/z", false},
		{"/a/{x,{y,w}}", "/a/w", true},
		{`/a/\*`, "/a/*", true},
		{`/a/\*`, "/a/b", false},
		{"/a/[b", "/a/[b", true}, // unclosed: literal, not dropped
		{"/a/{b", "/a/{b", true},
		{"/a.b+(c)", "/a.b+(c)", true},
		{"/a.b", "/aXb", false},
	}
	for _, tt := range tests {
		if got := compileGlob(tt.pat).MatchString(tt.s); got != tt.want {
			t.Errorf("glob %q on %q = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

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
