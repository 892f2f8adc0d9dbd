package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLookupFilters(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 1024)
	calls := []Record{
		{Tool: "fs_read", Decision: "allow", RequestParameters: json.RawMessage(`{"path":"README.md"}`)},
		{Tool: "execute_bash", Decision: "ask", UserAnswer: "n", RequestParameters: json.RawMessage(`{"command":"rm -rf build"}`)},
		{Tool: "use_aws", EventSource: AWSEventSource("s3api"), EventName: AWSEventName("list-buckets"), Decision: "allow", ReadOnly: true},
		{Tool: "execute_bash", Decision: "deny", Rule: `deniedCommands "rm .*"`, RequestParameters: json.RawMessage(`{"command":"rm -rf /"}`)},
		{Tool: "use_aws", EventSource: AWSEventSource("ec2"), EventName: AWSEventName("terminate-instances"), Decision: "ask", UserAnswer: "y"},
		{Tool: "fs_write", Decision: "allow", RequestParameters: json.RawMessage(`{"path":"main.go"}`)},
	}
	for _, r := range calls {
		mustAppend(t, tr, r)
		c.Add(40 * time.Minute)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		f    Filter
		want []string // eventNames, newest first
	}{
		{"everything, newest first", Filter{}, []string{"fs_write", "TerminateInstances", "execute_bash", "ListBuckets", "execute_bash", "fs_read"}},
		{"event name ignores case", Filter{EventName: "listbuckets"}, []string{"ListBuckets"}},
		{"tool", Filter{Tool: "use_aws"}, []string{"TerminateInstances", "ListBuckets"}},
		{"decision", Filter{Decision: "ask"}, []string{"TerminateInstances", "execute_bash"}},
		{"text in parameters", Filter{Text: "RM -RF"}, []string{"execute_bash", "execute_bash"}},
		{"text and decision", Filter{Text: "rm -rf", Decision: "deny"}, []string{"execute_bash"}},
		{"time span, inclusive", Filter{From: at("2025-03-04T10:40:00Z"), To: at("2025-03-04T12:00:00Z")}, []string{"execute_bash", "ListBuckets", "execute_bash"}},
		{"from only", Filter{From: at("2025-03-04T12:40:00Z")}, []string{"fs_write", "TerminateInstances"}},
		{"to only", Filter{To: at("2025-03-04T10:39:59Z")}, []string{"fs_read"}},
		{"max", Filter{Max: 2}, []string{"fs_write", "TerminateInstances"}},
		{"nothing matches", Filter{Tool: "nope"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := Lookup(dir, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.EventName)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLookupSkipsATornLineAndMissingTrail(t *testing.T) {
	c := newClock("2025-03-04T10:00:00Z")
	tr, dir := openTrail(t, c, 0)
	mustAppend(t, tr, rec(1))
	mustAppend(t, tr, rec(2))
	tr.Close()
	path := filepath.Join(dir, logNames(t, dir)[0])
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data[:len(data)-20], 0o600); err != nil {
		t.Fatal(err)
	}
	recs, err := Lookup(dir, Filter{})
	if err != nil || len(recs) != 1 || !strings.Contains(string(recs[0].RequestParameters), "echo 1") {
		t.Errorf("Lookup = %v, %v; want the one complete record", recs, err)
	}
	if recs, err := Lookup(filepath.Join(t.TempDir(), "none"), Filter{}); err != nil || len(recs) != 0 {
		t.Errorf("Lookup of a missing trail = %v, %v", recs, err)
	}
}
