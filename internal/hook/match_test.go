package hook

import "testing"

// TestMatches uses the vectors of the Q CLI's test_hook_matches_tool
// (hooks.rs), plus glob and server cases of its docs.
func TestMatches(t *testing.T) {
	cases := []struct {
		matcher, tool string
		want          bool
	}{
		{"", "fs_write", true},
		{"", "execute_bash", true},
		{"", "@git/status", true},
		{"fs_write", "fs_write", true},
		{"fs_write", "fs_read", false},
		{"fs_*", "fs_write", true},
		{"fs_*", "fs_read", true},
		{"fs_*", "execute_bash", false},
		{"*", "fs_write", true},
		{"*", "execute_bash", true},
		{"*", "@git/status", true},
		{"@builtin", "fs_write", true},
		{"@builtin", "execute_bash", true},
		{"@builtin", "@git/status", false},
		{"@git", "@git/status", true},
		{"@git", "@other/tool", false},
		{"@git", "fs_write", false},
		{"@git", "@gitlab/x", false},
		{"@git/status", "@git/status", true},
		{"@git/status", "@git/commit", false},
		{"@git/status", "fs_write", false},
		{"@git/*", "@git/commit", true},
		{"@*/status", "@git/status", true},
		{"*status", "@git/status", true}, // '*' crosses '/', as in globset
		{"fs_rea?", "fs_read", true},
		{"fs_[rw]*", "fs_write", true},
		{"fs_[!r]*", "fs_read", false},
		{"{fs_read,execute_*}", "execute_bash", true},
		{"{fs_read,execute_bash}", "execute_bash", false}, // no '*' or '?': compared exactly
		{"{fs_read", "fs_read", false},                    // malformed: literal
		{"fs.read", "fs_read", false},
	}
	for _, tc := range cases {
		if got := Matches(tc.matcher, tc.tool); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tc.matcher, tc.tool, got, tc.want)
		}
	}
}
