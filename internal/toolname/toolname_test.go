package toolname

import (
	"slices"
	"testing"
)

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"gh_issue": "report_issue", "read": "fs_read", "write": "fs_write", "shell": "execute_bash",
		"aws": "use_aws", "subagent": "use_subagent", "fs_read": "fs_read", "fs_*": "fs_*", "my_tool": "my_tool",
		// The Q CLI's Windows name of the shell tool: a deny written with it
		// was ignored for execute_bash.
		"execute_cmd": "execute_bash",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPattern(t *testing.T) {
	for in, want := range map[string]string{
		"@builtin/shell": "@builtin/execute_bash", "@builtin": "@builtin", "@builtin/*": "@builtin/*",
		"@git/read": "@git/read", "@read": "@read", "shell": "execute_bash", "*": "*",
	} {
		if got := Pattern(in); got != want {
			t.Errorf("Pattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKnownAndNames(t *testing.T) {
	if !slices.IsSorted(known) {
		t.Fatal("known must stay sorted for BinarySearch")
	}
	for _, n := range []string{"fs_read", "read", "gh_issue", "web_fetch", "use_subagent"} {
		if !Known(n) {
			t.Errorf("Known(%q) = false", n)
		}
	}
	for _, n := range []string{"fs_reed", "", "@git/x"} {
		if Known(n) {
			t.Errorf("Known(%q) = true", n)
		}
	}
	if !slices.Contains(Names(), "shell") || !slices.Contains(Names(), "execute_bash") {
		t.Fatal("Names lacks aliases or canonical names")
	}
	if got := AliasesOf("report_issue"); !slices.Equal(got, []string{"gh_issue", "report"}) {
		t.Fatalf("AliasesOf = %v", got)
	}
}
