package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAppendWritesCloudTrailShapedChainedRecords(t *testing.T) {
	c := newClock("2025-03-04T10:15:30Z")
	tr, dir := openTrail(t, c, 0)
	exit := 0
	mustAppend(t, tr, Record{
		Tool: "use_aws", EventSource: AWSEventSource("s3api"), EventName: AWSEventName("list-buckets"),
		AWSRegion: "us-east-1", ReadOnly: true, Decision: "ask", UserAnswer: "y",
		Rule: "use_aws autoAllowReadonly", Layer: "agent", RecipientAccountID: "123456789012",
		UserIdentity:      UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::123456789012:assumed-role/R/s"},
		RequestParameters: json.RawMessage(`{"label":"<list> & show"}`),
	})
	c.Add(time.Second)
	mustAppend(t, tr, Record{Tool: "execute_bash", Decision: "allow", ExitStatus: &exit, DurationMs: 12, OutputBytes: 3})

	names := logNames(t, dir)
	if len(names) != 1 || names[0] != "qdev-audit-20250304T101530Z-000001.jsonl" {
		t.Fatalf("log files = %v", names)
	}
	path := filepath.Join(dir, names[0])
	lines := readLines(t, path)
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var r1, r2 map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &r1); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &r2); err != nil {
		t.Fatal(err)
	}
	want1 := map[string]any{
		"eventVersion": "1.11", "eventTime": "2025-03-04T10:15:30Z", "eventSource": "s3.amazonaws.com",
		"eventName": "ListBuckets", "eventType": "AwsApiCall", "readOnly": true, "decision": "ask",
		"userAnswer": "y", "layer": "agent", "recipientAccountId": "123456789012", "prevHash": "",
		"awsRegion": "us-east-1", "tool": "use_aws",
	}
	for k, v := range want1 {
		if r1[k] != v {
			t.Errorf("record 1 %s = %v, want %v", k, r1[k], v)
		}
	}
	if id, _ := r1["eventID"].(string); !uuidV4.MatchString(id) {
		t.Errorf("eventID %q is not a v4 UUID", id)
	}
	if r1["userIdentity"].(map[string]any)["type"] != "AssumedRole" {
		t.Errorf("userIdentity = %v", r1["userIdentity"])
	}
	if !strings.Contains(lines[0], `"<list> & show"`) {
		t.Errorf("HTML characters escaped: %s", lines[0])
	}
	want2 := map[string]any{
		"eventSource": "qdev.tool", "eventName": "execute_bash", "eventType": "QdevToolCall",
		"eventTime": "2025-03-04T10:15:31Z", "exitStatus": 0.0, "durationMs": 12.0, "outputBytes": 3.0,
		"prevHash": lineHash([]byte(lines[0])), "responseElements": nil,
	}
	for k, v := range want2 {
		if r2[k] != v {
			t.Errorf("record 2 %s = %v, want %v", k, r2[k], v)
		}
	}
	if r1["eventID"] == r2["eventID"] {
		t.Error("two records share an eventID")
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	mustOK(t, Verify(dir, time.Time{}, time.Time{}))
}

func TestAppendRejectsInvalidRecords(t *testing.T) {
	tr, dir := openTrail(t, newClock("2025-03-04T10:00:00Z"), 0)
	for _, tc := range []struct {
		r    Record
		want string
	}{
		{Record{Tool: "fs_read"}, "decision is required"},
		{Record{Tool: "fs_read", Decision: "maybe"}, `decision "maybe"`},
		{Record{Tool: "fs_read", Decision: "ask", UserAnswer: "yes"}, `userAnswer "yes"`},
		{Record{Decision: "deny"}, "tool or eventName is required"},
	} {
		err := tr.Append(tc.r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Append(%+v) = %v, want error containing %q", tc.r, err, tc.want)
		}
	}
	if names := logNames(t, dir); len(names) != 0 {
		t.Errorf("invalid records created files %v", names)
	}
}

func TestChainSurvivesRotationsBySizeAndHour(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 2048)
	const n = 300
	for i := range n {
		mustAppend(t, tr, rec(i))
		c.Add(47 * time.Second) // crosses an hour every ~77 records
	}
	names := logNames(t, dir)
	if len(names) < 10 {
		t.Fatalf("only %d files after %d records: rotation by size did not happen", len(names), n)
	}
	// The hour changes between two records that fit in one file, so some
	// file must have been sealed early because of it.
	hours := map[string]bool{}
	for i, name := range names {
		hours[name[11:22]] = true
		if i == len(names)-1 {
			break
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o400 {
			t.Errorf("sealed %s: mode %v, %v; want 0400", name, fi.Mode().Perm(), err)
		}
		if _, err := os.Stat(filepath.Join(dir, digestName(name))); err != nil {
			t.Errorf("sealed %s has no digest: %v", name, err)
		}
	}
	if len(hours) < 4 {
		t.Errorf("files span hours %v, want at least 4", hours)
	}
	r := Verify(dir, time.Time{}, time.Time{})
	mustOK(t, r)
	if r.Records != n || r.Files != len(names) || r.Digests != len(names)-1 {
		t.Errorf("report counts records=%d files=%d digests=%d, want %d %d %d", r.Records, r.Files, r.Digests, n, len(names), len(names)-1)
	}
	last := readLines(t, filepath.Join(dir, names[len(names)-1]))
	if r.TrustedThrough == nil || r.TrustedThrough.File != names[len(names)-1] || r.TrustedThrough.Line != len(last) {
		t.Errorf("trustedThrough = %+v, want the last record", r.TrustedThrough)
	}
}

func TestHourChangeSealsTheOpenFile(t *testing.T) {
	c := newClock("2025-03-04T10:59:59Z")
	tr, dir := openTrail(t, c, 0)
	mustAppend(t, tr, rec(1))
	c.Add(2 * time.Second)
	mustAppend(t, tr, rec(2))
	names := logNames(t, dir)
	want := []string{"qdev-audit-20250304T105959Z-000001.jsonl", "qdev-audit-20250304T110001Z-000002.jsonl"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files = %v, want %v", names, want)
	}
	raw, err := os.ReadFile(filepath.Join(dir, digestName(want[0])))
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseDigest(raw)
	if err != nil {
		t.Fatal(err)
	}
	first := readLines(t, filepath.Join(dir, want[0]))
	if d.RecordCount != 1 || d.LastRecordHash != lineHash([]byte(first[0])) || d.PreviousDigestSHA256 != nil ||
		d.DigestStartTime != "2025-03-04T10:59:59Z" || d.DigestEndTime != "2025-03-04T11:00:01Z" {
		t.Errorf("digest = %+v", d)
	}
	second := readLines(t, filepath.Join(dir, want[1]))
	var r Record
	if err := json.Unmarshal([]byte(second[0]), &r); err != nil || r.PrevHash != d.LastRecordHash {
		t.Errorf("first record of the new file chains to %q, want %q (%v)", r.PrevHash, d.LastRecordHash, err)
	}
}

func TestReopenAndTwoTrailsInOneProcessShareTheChain(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	dir := filepath.Join(t.TempDir(), "audit")
	a, err := Open(dir, Options{Now: c.Now, MaxFileBytes: 1500})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, Options{Now: c.Now, MaxFileBytes: 1500})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		mustAppend(t, a, rec(2*i))
		mustAppend(t, b, rec(2*i+1))
	}
	a.Close()
	if err := a.Append(rec(0)); err == nil {
		t.Error("Append after Close succeeded")
	}
	again, err := Open(dir, Options{Now: c.Now, MaxFileBytes: 1500})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	mustAppend(t, again, rec(80))
	mustAppend(t, b, rec(81))
	b.Close()
	r := Verify(dir, time.Time{}, time.Time{})
	mustOK(t, r)
	if r.Records != 82 {
		t.Errorf("%d records, want 82", r.Records)
	}
}

func TestRotateSealsOnDemand(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	if err := tr.Rotate(); err != nil { // empty trail: nothing to seal
		t.Fatal(err)
	}
	mustAppend(t, tr, rec(1))
	if err := tr.Rotate(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, digestName(logNames(t, dir)[0]))); err != nil {
		t.Fatalf("no digest after Rotate: %v", err)
	}
	mustOK(t, Verify(dir, time.Time{}, time.Time{}))
	mustAppend(t, tr, rec(2))
	if n := len(logNames(t, dir)); n != 2 {
		t.Errorf("%d files after Rotate and Append, want 2", n)
	}
	mustOK(t, Verify(dir, time.Time{}, time.Time{}))
}

func TestKeyFiles(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	mustAppend(t, tr, rec(1))
	if err := tr.Rotate(); err != nil {
		t.Fatal(err)
	}
	key := KeyPath(dir)
	if key != dir+".key" {
		t.Errorf("KeyPath = %s", key)
	}
	for p, want := range map[string]os.FileMode{key: 0o600, key + ".pub": 0o644} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want mode %v", p, fi.Mode().Perm(), err, want)
		}
	}
	// A private key others can read is refused, not used.
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPrivateKey(key); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("loading a 0644 key: %v", err)
	}
	// Verify needs only the public half.
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	mustOK(t, Verify(dir, time.Time{}, time.Time{}))
}

func TestAWSNames(t *testing.T) {
	for in, want := range map[string]string{"s3api": "s3.amazonaws.com", "cloudwatch": "monitoring.amazonaws.com", "ec2": "ec2.amazonaws.com", " EC2 ": "ec2.amazonaws.com"} {
		if got := AWSEventSource(in); got != want {
			t.Errorf("AWSEventSource(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"list-buckets": "ListBuckets", "get-bucket-acl": "GetBucketAcl", "DescribeInstances": "DescribeInstances"} {
		if got := AWSEventName(in); got != want {
			t.Errorf("AWSEventName(%q) = %q, want %q", in, got, want)
		}
	}
}
