package tool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReportIssue(t *testing.T) {
	env := testEnv(t)
	env.Transcript = func() string { return "user: hi\nassistant: ```go\nx\n```\n" }
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("X", 3600))
	tl := ReportIssue{Now: func() time.Time { return now }}
	input := `{"title":"Diff is wrong","expected_behavior":"green","actual_behavior":"red"}`
	inv := prepare(t, tl, env, input)
	// It writes the transcript to a file, so it asks like any tool that
	// writes rather than being always allowed.
	if acc := inv.Access(); acc.AlwaysAllowed || len(acc.WritePaths) != 1 ||
		acc.WritePaths[0] != filepath.Join(env.DataDir, "reports", "issue-20250304T040607Z.md") {
		t.Errorf("report_issue access = %+v, want the report file as its write path", acc)
	}
	mustContain(t, describe(inv, false), "Diff is wrong")
	r := inv.Run(t.Context(), nil)
	want := filepath.Join(env.DataDir, "reports", "issue-20250304T040607Z.md")
	if r.IsError || !strings.Contains(resultText(r), want) {
		t.Fatalf("result: %+v", r)
	}
	body := readFile(t, want)
	for _, s := range []string{"# Diff is wrong\n", "## Expected behavior\n\ngreen\n", "## Actual behavior\n\nred\n",
		"## Steps to reproduce\n\n(not given)\n", "- qdev version: 9.9.9\n", "- Working directory: " + env.Cwd,
		"- OS: ", "````\nuser: hi\nassistant: ```go\nx\n```\n````\n"} {
		mustContain(t, body, s)
	}
	fi, _ := os.Stat(want)
	di, _ := os.Stat(filepath.Dir(want))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Errorf("modes: file %v, dir %v", fi.Mode(), di.Mode())
	}

	// A second report in the same second does not overwrite the first.
	r = prepare(t, tl, env, input).Run(t.Context(), nil)
	mustContain(t, resultText(r), "issue-20250304T040607Z-2.md")

	mustContain(t, prepareErr(t, tl, env, `{"title":" "}`), "title is required")
	env.DataDir = ""
	mustContain(t, prepareErr(t, tl, env, `{"title":"x"}`), "no data directory")
}
