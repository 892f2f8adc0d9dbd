package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qdev/qdev/internal/audit"
)

// auditTrail writes a trail of six records, one every 30 minutes from
// 2025-03-04T10:00:00Z, sealing a file every hour, and returns its directory.
func auditTrail(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // where the trail's anchor goes
	t.Setenv("Q_MANAGED_SETTINGS", "")       // no additional policy file
	dir := filepath.Join(t.TempDir(), "audit")
	now, _ := time.Parse(time.RFC3339, "2025-03-04T10:00:00Z")
	tr, err := audit.Open(dir, audit.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	recs := []audit.Record{
		{Tool: "fs_read", Decision: "allow"},
		{Tool: "execute_bash", Decision: "ask", UserAnswer: "n", RequestParameters: json.RawMessage(`{"command":"rm -rf build"}`)},
		{Tool: "use_aws", EventSource: "s3.amazonaws.com", EventName: "ListBuckets", Decision: "allow", ReadOnly: true,
			UserIdentity: audit.UserIdentity{Type: "IAMUser", UserName: "alice", AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}},
		{Tool: "execute_bash", Decision: "deny", ErrorCode: "AccessDenied"},
		{Tool: "search", Server: "docs", Decision: "allow"},
		{Tool: "fs_write", Decision: "allow"},
	}
	for _, r := range recs {
		if err := tr.Append(r); err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Minute)
	}
	return dir
}

// runAudit runs `q audit ARGS...` in-process.
func runAudit(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewCmdAudit(IO{In: os.Stdin, Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestAuditVerify(t *testing.T) {
	dir := auditTrail(t)
	out, err := runAudit(t, "verify", "--dir", dir)
	if err != nil || !strings.Contains(out, "Checked 3 log files, 2 digests, 6 records") || !strings.Contains(out, "OK: the audit trail is intact.") {
		t.Fatalf("verify of an intact trail: %v\n%s", err, out)
	}

	// Edit the first record of the sealed first file.
	first := filepath.Join(dir, "qdev-audit-20250304T100000Z-000001.jsonl")
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(first, 0o600)
	if err := os.WriteFile(first, bytes.Replace(data, []byte("fs_read"), []byte("fs_reax"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runAudit(t, "verify", "--dir", dir)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || ee.Err != nil {
		t.Fatalf("verify of a tampered trail returned %v, want exit status 1", err)
	}
	for _, want := range []string{"ALTERED: qdev-audit-20250304T100000Z-000001.jsonl", "FAILED:", "No record can be trusted."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, err = runAudit(t, "verify", "--dir", dir, "--format", "json")
	var r audit.Report
	if jerr := json.Unmarshal([]byte(out), &r); jerr != nil || err == nil || len(r.Problems) == 0 || r.Problems[0].Kind != audit.KindAltered {
		t.Errorf("json verify: %v, %v, %+v\n%s", err, jerr, r, out)
	}
	// Only the last hour: the edit lies before it.
	if out, err := runAudit(t, "verify", "--dir", dir, "--from", "2025-03-04T12:00:00Z"); err != nil {
		t.Errorf("verify --from after the edit: %v\n%s", err, out)
	}
}

func TestAuditVerifyUnfinishedCallAndRollback(t *testing.T) {
	dir := auditTrail(t)
	tr, err := audit.Open(dir, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := audit.NewEventID()
	if err := tr.Append(audit.Record{Tool: "execute_bash", Decision: "allow", EventID: id, Phase: audit.PhaseIntent}); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	out, err := runAudit(t, "verify", "--dir", dir)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(out, "UNFINISHED:") || !strings.Contains(out, "started, no outcome") || !strings.Contains(out, id) {
		t.Fatalf("verify with a call left unfinished: %v\n%s", err, out)
	}
	if strings.Contains(out, "can be trusted up to") {
		t.Errorf("an unfinished call put records in doubt:\n%s", out)
	}

	// Remove the newest file, as someone hiding that call would.
	logs, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err := os.Remove(logs[len(logs)-1]); err != nil {
		t.Fatal(err)
	}
	out, err = runAudit(t, "verify", "--dir", dir)
	if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(out, "ROLLED-BACK:") {
		t.Fatalf("verify after the newest file was removed: %v\n%s", err, out)
	}
	// An anchor elsewhere knows nothing of the trail: only a warning.
	out, err = runAudit(t, "verify", "--dir", dir, "--anchor", filepath.Join(t.TempDir(), "a.json"))
	if err != nil || !strings.Contains(out, "WARNING: no trust anchor") {
		t.Fatalf("verify with --anchor: %v\n%s", err, out)
	}
}

func TestAuditVerifyFollowsManagedSettings(t *testing.T) {
	dir := auditTrail(t)
	policy := filepath.Join(t.TempDir(), "managed.json")
	doc := `{"audit": {"dir": "` + dir + `", "keyFingerprint": "0123456789abcdef0123456789abcdef"}}`
	if err := os.WriteFile(policy, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("Q_MANAGED_SETTINGS", policy)
	out, err := runAudit(t, "verify")
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(out, "KEY:") || !strings.Contains(out, "in "+dir) {
		t.Fatalf("verify of the managed trail against another pinned key: %v\n%s", err, out)
	}
	if out, err := runAudit(t, "lookup", "--tool", "fs_write"); err != nil || !strings.Contains(out, "fs_write") {
		t.Fatalf("lookup in the managed trail: %v\n%s", err, out)
	}
}

func TestAuditLookup(t *testing.T) {
	dir := auditTrail(t)
	tests := []struct {
		args []string
		want []string // event names in order
	}{
		{nil, []string{"fs_write", "search", "execute_bash", "ListBuckets", "execute_bash", "fs_read"}},
		{[]string{"--tool", "execute_bash"}, []string{"execute_bash", "execute_bash"}},
		{[]string{"--decision", "deny"}, []string{"execute_bash"}},
		{[]string{"--event-name", "ListBuckets"}, []string{"ListBuckets"}},
		{[]string{"--text", "rm -rf"}, []string{"execute_bash"}},
		{[]string{"--from", "2025-03-04T11:00:00Z", "--to", "2025-03-04T12:00:00"}, []string{"search", "execute_bash", "ListBuckets"}},
		{[]string{"--max", "2"}, []string{"fs_write", "search"}},
	}
	for _, tc := range tests {
		out, err := runAudit(t, append([]string{"lookup", "--dir", dir, "--format", "json"}, tc.args...)...)
		if err != nil {
			t.Fatalf("lookup %v: %v", tc.args, err)
		}
		var doc struct {
			Events []struct{ EventName, EventId, ReadOnly, Username, CloudTrailEvent string }
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("lookup %v: %v\n%s", tc.args, err, out)
		}
		var got []string
		for _, e := range doc.Events {
			got = append(got, e.EventName)
			var rec audit.Record
			if err := json.Unmarshal([]byte(e.CloudTrailEvent), &rec); err != nil || rec.EventID != e.EventId {
				t.Errorf("CloudTrailEvent of %s does not hold the record: %v", e.EventId, err)
			}
			if e.EventName == "ListBuckets" && (e.ReadOnly != "true" || e.Username != "alice") {
				t.Errorf("ListBuckets event = %+v", e)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("lookup %v = %v, want %v", tc.args, got, tc.want)
		}
	}

	out, err := runAudit(t, "lookup", "--dir", dir, "--decision", "ask")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "EVENT TIME") ||
		!strings.Contains(lines[1], "2025-03-04T10:30:00Z") || !strings.Contains(lines[1], " n ") {
		t.Errorf("table output:\n%s", out)
	}
	if out, _ := runAudit(t, "lookup", "--dir", dir, "--tool", "search"); !strings.Contains(out, "@docs/search") {
		t.Errorf("MCP tool not shown as @server/tool:\n%s", out)
	}
}

func TestAuditFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lookup", "--decision", "maybe"}, `--decision "maybe": use allow, ask or deny`},
		{[]string{"lookup", "--format", "xml"}, `--format "xml": use table or json`},
		{[]string{"verify", "--format", "table"}, `--format "table": use text or json`},
		{[]string{"lookup", "--from", "yesterday"}, `--from "yesterday": not a time`},
		{[]string{"lookup", "--from", "2025-03-05", "--to", "2025-03-04"}, "--to 2025-03-04 is before --from 2025-03-05"},
		{[]string{"lookup", "--max", "-1"}, "--max -1"},
	} {
		_, err := runAudit(t, append(tc.args, "--dir", t.TempDir())...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("q audit %v: %v, want one line containing %q", tc.args, err, tc.want)
		}
	}
}

func TestParseAuditTime(t *testing.T) {
	now, _ := time.Parse(time.RFC3339, "2025-03-04T10:00:00Z")
	for in, want := range map[string]string{
		"":                          "0001-01-01T00:00:00Z",
		"2025-03-01T08:30:00+01:00": "2025-03-01T07:30:00Z",
		"2025-03-01T08:30:00":       "2025-03-01T08:30:00Z",
		"2025-03-01T08:30":          "2025-03-01T08:30:00Z",
		"2025-03-01":                "2025-03-01T00:00:00Z",
		"1740816000":                "2025-03-01T08:00:00Z",
		"90m":                       "2025-03-04T08:30:00Z",
		"2d":                        "2025-03-02T10:00:00Z",
	} {
		got, err := parseAuditTime("--from", in, now)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("parseAuditTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "-5m", "2025-13-01", "xd"} {
		if _, err := parseAuditTime("--from", bad, now); err == nil {
			t.Errorf("parseAuditTime(%q) succeeded", bad)
		}
	}
}
